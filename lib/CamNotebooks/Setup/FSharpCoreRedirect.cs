using System.Reflection;
using System.Runtime.Loader;

namespace CamNotebooks.Setup;

/// <summary>
/// Lets Plotly.NET 6.0.0 (built against FSharp.Core 10.1) run in a process that already loaded an older FSharp.Core,
/// as the final .NET Interactive kernel does (it starts with FSharp.Core 10.0).
/// </summary>
/// <remarks>
/// When the runtime cannot find the exact FSharp.Core version an assembly asks for, it raises
/// <see cref="AssemblyLoadContext.Resolving"/>; we answer with the FSharp.Core that is already loaded. Plotly.NET only uses
/// long-standing parts of FSharp.Core, so the older 10.0 serves it. Where the right version is found normally (a build
/// output that ships 10.1), the handler is never asked.
/// </remarks>
public static class FSharpCoreRedirect
{
    private static int _installed;

    /// <summary>Installs the handler once per process. Returns false if it was already installed.</summary>
    public static bool Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1) return false;
        AssemblyLoadContext.Default.Resolving += ResolveToLoadedFSharpCore;
        return true;
    }

    private static Assembly? ResolveToLoadedFSharpCore(AssemblyLoadContext context, AssemblyName name)
    {
        if (name.Name != "FSharp.Core") return null;
        return AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => a.GetName().Name == "FSharp.Core")
            .OrderByDescending(a => a.GetName().Version)
            .FirstOrDefault();
    }
}
