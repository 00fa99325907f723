using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Events;

namespace CamNotebooks.Runner;

/// <summary>
/// Runs one cell, but stops waiting for it when it exceeds its time or the runner is asked to stop. A cell cannot be
/// aborted from outside (.NET has no thread abort), so an abandoned cell keeps its thread until the process exits: the
/// runner records the failure, writes what finished, and moves on.
/// </summary>
internal static class CellWatch
{
    /// <summary>Default time one cell may take: generous, so only a cell that hangs reaches it.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(20);

    /// <summary>The events of the cell, or why the runner stopped waiting (then <c>Events</c> is null).</summary>
    public sealed record Outcome(IReadOnlyList<KernelEvent>? Events, string? Abandoned);

    public static async Task<Outcome> RunAsync(CompositeKernel kernel, SubmitCode submission, TimeSpan timeout)
    {
        var cell = NotebookKernel.SubmitAsync(kernel, submission);
        var elapsed = Task.Delay(timeout);
        var finished = await Task.WhenAny(cell, elapsed, RunnerGuards.Interrupted);
        if (finished == cell) return new Outcome(await cell, null);
        RunnerGuards.CellAbandoned();
        if (finished == elapsed)
            return new Outcome(null,
                $"the cell did not finish within {Describe(timeout)} and was abandoned (a cell that runs this long is taken to hang; " +
                "raise the limit with --cell-timeout <seconds> if it is expected).");
        return new Outcome(null, $"the runner was stopped by {RunnerGuards.Interrupted.Result.Name} while this cell ran.");
    }

    private static string Describe(TimeSpan span) =>
        span.TotalSeconds < 120 ? $"{span.TotalSeconds:0.#} s" : $"{span.TotalMinutes:0.#} minutes";
}
