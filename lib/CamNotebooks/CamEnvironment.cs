using CamNotebooks.Setup;

namespace CamNotebooks;

/// <summary>
/// The call a notebook's set-up cell makes (and prints): the process set-up's report (<see cref="RuntimeSetup"/>, done
/// when the library loaded) and the notebook formatters that show charts offline, heatmaps as pictures and tensors
/// compactly (<see cref="Display.Formatters"/>). It sits above every other namespace: nothing in the library calls it.
/// </summary>
public static class CamEnvironment
{
    private static readonly Lock Gate = new();
    private static bool _formattersRegistered;

    /// <summary>Returns the set-up's report and registers the notebook formatters. Safe to call any number of times; the work is done once.</summary>
    /// <returns>What was checked and done, for display.</returns>
    /// <exception cref="NativeSetupException">TorchSharp cannot be made to load; the message names the cause and the remedy.</exception>
    public static EnvironmentReport Initialize()
    {
        var report = RuntimeSetup.Ensure();
        lock (Gate)
        {
            if (!_formattersRegistered) Display.Formatters.Register();
            _formattersRegistered = true;
        }
        return report;
    }
}
