using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace CamNotebooks.Setup;

/// <summary>
/// Prepares the process for TorchSharp and Plotly.NET once, the moment any code of this library first runs (a module
/// initializer), so no type of the library has to remember a set-up call: libtorch's OpenMP threads spin only briefly
/// (<see cref="OpenMpWaitPolicy"/>), TorchSharp's native library loads on this machine (<see cref="TorchSharpNativeFix"/>)
/// and Plotly.NET finds FSharp.Core (<see cref="FSharpCoreRedirect"/>).
/// </summary>
/// <remarks>
/// The initializer never throws (an exception there would surface as a <see cref="TypeInitializationException"/> on every
/// later use of the library): a failure is kept and thrown by <see cref="Ensure"/>, which every process entry point calls
/// (the notebooks' set-up cell through <c>CamEnvironment.Initialize()</c>, the tests, the benchmarks).
/// </remarks>
public static class RuntimeSetup
{
    private static readonly Lazy<(bool? LibTorchMappedBefore, string OpenMp, NativeFixResult? Native, Exception? Failure)> Done =
        new(RunOnce, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<EnvironmentReport> Report = new(() =>
    {
        var (before, openMp, native, _) = Done.Value;
        return new EnvironmentReport(native!, TorchSharp.torch.__version__, openMp, before);
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "The set-up must precede TorchSharp's first native call wherever the library is used; it is idempotent and never throws.")]
    internal static void OnLibraryLoad() => _ = Done.Value;

    /// <summary>The set-up's report (the work itself ran when the library loaded). Safe to call any number of times.</summary>
    /// <exception cref="NativeSetupException">TorchSharp cannot be made to load here; the message names the cause and the remedy.</exception>
    public static EnvironmentReport Ensure()
    {
        if (Done.Value.Failure is { } failure)
            throw failure is NativeSetupException
                ? new NativeSetupException(failure.Message, failure)
                : new NativeSetupException($"CamNotebooks could not prepare TorchSharp: {failure.Message}", failure);
        return Report.Value;
    }

    private static (bool?, string, NativeFixResult?, Exception?) RunOnce()
    {
        bool? before = LibTorchMapped();
        try
        {
            FSharpCoreRedirect.Install();
            string openMp = OpenMpWaitPolicy.Apply(); // before libtorch (and its OpenMP runtime) is loaded
            return (before, openMp, TorchSharpNativeFix.Apply(), null);
        }
        catch (Exception e)
        {
            return (before, "", null, e);
        }
    }

    /// <summary>Whether libtorch or TorchSharp's glue is mapped into this process (from <c>/proc/self/maps</c>); null off Linux.</summary>
    internal static bool? LibTorchMapped()
    {
        if (!OperatingSystem.IsLinux()) return null;
        return File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 6)
            .Select(fields => Path.GetFileName(fields[5].Trim()))
            .Any(name => name.StartsWith("libtorch", StringComparison.Ordinal) || name.StartsWith("libLibTorchSharp", StringComparison.Ordinal));
    }
}

/// <summary>What the set-up found (<see cref="RuntimeSetup.Ensure"/>).</summary>
/// <param name="NativeFix">Whether the native library needed patching, and what was loaded.</param>
/// <param name="LibTorchVersion">The libtorch version TorchSharp reports once loaded.</param>
/// <param name="OpenMpWaitPolicy">How libtorch's OpenMP threads wait for work, as the variables in force (on Linux <c>GOMP_SPINCOUNT=10000</c> unless the user chose).</param>
/// <param name="LibTorchMappedBeforeSetUp">Whether libtorch was already in the process when the set-up began (it must not
/// be: the OpenMP variables and the native fix only work before it loads); null where it cannot be seen (not Linux).</param>
public sealed record EnvironmentReport(NativeFixResult NativeFix, string LibTorchVersion, string OpenMpWaitPolicy, bool? LibTorchMappedBeforeSetUp)
{
    /// <inheritdoc />
    public override string ToString() => $"libtorch {LibTorchVersion}. {NativeFix.Description} OpenMP waiting: {OpenMpWaitPolicy}.";
}
