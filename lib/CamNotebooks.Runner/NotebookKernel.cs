using System.Reflection;
using System.Runtime.Loader;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace CamNotebooks.Runner;

/// <summary>
/// Builds an in-process .NET Interactive kernel that behaves like the one VS Code runs for a C# notebook:
/// C# submissions, <c>#r "nuget: ..."</c> against the configured NuGet sources, <c>#!import</c>, and the kernel extensions
/// that NuGet packages ship (Plotly.NET.Interactive's chart formatter, for instance).
/// </summary>
internal static class NotebookKernel
{
    /// <summary>Creates a fresh kernel; <paramref name="log"/> receives notes such as which extensions were loaded.</summary>
    public static CompositeKernel Create(Action<string> log)
    {
        var composite = new CompositeKernel();
        var loadedExtensions = new HashSet<string>(StringComparer.Ordinal);
        var csharp = new CSharpKernel()
            .UseKernelHelpers()
            .UseValueSharing()
            .UseNugetDirective(async (kernel, references) =>
            {
                kernel.AddAssemblyReferences(references.SelectMany(r => r.AssemblyPaths));
                // The dotnet-interactive tool loads these automatically; an in-process kernel must do it itself.
                foreach (var reference in references)
                    await LoadExtensionsAsync(composite, reference, loadedExtensions, log);
            });
        composite.Add(csharp, ["c#", "C#"]);
        composite.UseImportMagicCommand();
        composite.DefaultKernelName = "csharp";
        return composite;
    }

    /// <summary>
    /// Sends one cell and returns every event it caused, in order, including those of the commands it started: the cells
    /// of a file brought in with <c>#!import</c> (a notebook's set-up cell). The command's own result leaves their console
    /// output out; VS Code, dotnet-repl and Jupyter show it, so the runner does too.
    /// </summary>
    public static async Task<IReadOnlyList<KernelEvent>> SubmitAsync(Kernel kernel, SubmitCode submission)
    {
        var seen = new List<KernelEvent>();
        using (kernel.KernelEvents.Subscribe(e =>
               {
                   if (StartedBy(e.Command, submission)) lock (seen) seen.Add(e);
               }))
        {
            await kernel.SendAsync(submission);
            lock (seen) return seen.ToList();
        }
    }

    private static bool StartedBy(KernelCommand? command, KernelCommand root)
    {
        for (; command is not null; command = command.Parent)
            if (ReferenceEquals(command, root)) return true;
        return false;
    }

    private static async Task LoadExtensionsAsync(Kernel root, ResolvedPackageReference reference, HashSet<string> loaded, Action<string> log)
    {
        string folder = Path.Combine(reference.PackageRoot, "interactive-extensions", "dotnet");
        if (!Directory.Exists(folder)) return;
        foreach (string dll in Directory.GetFiles(folder, "*.dll"))
        {
            if (!loaded.Add(Path.GetFileName(dll))) continue;
            Assembly assembly;
            try
            {
                assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(dll);
            }
            catch (FileLoadException)
            {
                continue; // an assembly of that name is already loaded (a previous notebook in this process loaded it)
            }
            foreach (var type in assembly.GetExportedTypes().Where(t => typeof(IKernelExtension).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false }))
            {
                try
                {
                    if (Activator.CreateInstance(type) is IKernelExtension extension)
                    {
                        await extension.OnLoadAsync(root);
                        log($"loaded kernel extension {type.FullName}");
                    }
                }
                catch (Exception e)
                {
                    // Same policy as the dotnet-interactive tool: a broken extension is reported, the notebook goes on.
                    log($"kernel extension {type.FullName} failed to load: {e.GetBaseException().Message}");
                }
            }
        }
    }
}
