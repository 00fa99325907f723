using CamNotebooks.Setup;

namespace CamNotebooks;

/// <summary>
/// The one entry point that prepares a process for CamNotebooks: the library, the tests and the first cell of every
/// notebook call <see cref="Initialize"/> before anything else touches TorchSharp or Plotly.NET.
/// </summary>
public static class CamEnvironment
{
    private static readonly Lock Gate = new();
    private static EnvironmentReport? _report;

    /// <summary>
    /// Keeps libtorch's idle OpenMP threads from spinning for long (<see cref="Setup.OpenMpWaitPolicy"/>), makes TorchSharp's native library loadable on this machine (<see cref="TorchSharpNativeFix"/>), lets Plotly.NET
    /// find FSharp.Core (<see cref="FSharpCoreRedirect"/>) and registers the notebook formatters that show charts offline
    /// (<see cref="Display.PlotlyDisplay"/>), heatmaps as pictures and tensors compactly (<see cref="Heatmaps.Formatters"/>). Safe to call any number of times; the work is done once.
    /// </summary>
    /// <returns>What was checked and done, for display.</returns>
    /// <exception cref="NativeSetupException">TorchSharp cannot be made to load; the message names the cause and the remedy.</exception>
    public static EnvironmentReport Initialize()
    {
        lock (Gate)
        {
            if (_report is not null) return _report;
            FSharpCoreRedirect.Install();
            string openMp = OpenMpWaitPolicy.Apply(); // before libtorch (and its OpenMP runtime) is loaded
            var native = TorchSharpNativeFix.Apply();
            Display.PlotlyDisplay.Register();
            Heatmaps.Formatters.Register();
            _report = new EnvironmentReport(native, TorchSharp.torch.__version__, openMp);
            return _report;
        }
    }
}

/// <summary>What <see cref="CamEnvironment.Initialize"/> found.</summary>
/// <param name="NativeFix">Whether the native library needed patching, and what was loaded.</param>
/// <param name="LibTorchVersion">The libtorch version TorchSharp reports once loaded.</param>
/// <param name="OpenMpWaitPolicy">How libtorch's OpenMP threads wait for work, as the variables in force (on Linux <c>GOMP_SPINCOUNT=10000</c> unless the user chose).</param>
public sealed record EnvironmentReport(NativeFixResult NativeFix, string LibTorchVersion, string OpenMpWaitPolicy)
{
    /// <inheritdoc />
    public override string ToString() => $"libtorch {LibTorchVersion}. {NativeFix.Description} OpenMP waiting: {OpenMpWaitPolicy}.";
}
