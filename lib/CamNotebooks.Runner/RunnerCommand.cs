using System.CommandLine;
using CamNotebooks.Tools;

namespace CamNotebooks.Runner;

/// <summary>The runner's command line.</summary>
public static class RunnerCommand
{
    /// <summary>Parses <paramref name="args"/> and runs; returns the process exit code.</summary>
    public static async Task<int> MainAsync(string[] args)
    {
        RunnerGuards.Install();
        // A hung cell keeps Console redirected: use the real streams.
        return await CommandLineTool.InvokeAsync(Create(), args, RunnerGuards.Out, RunnerGuards.Error);
    }

    /// <summary>The command line: <c>run &lt;notebook.dib | folder&gt;... --output &lt;folder&gt; [options]</c>.</summary>
    internal static RootCommand Create()
    {
        var notebooks = new Argument<string[]>("notebook.dib | folder")
        {
            Description = "Notebooks to run; a folder means every .dib inside, recursively, in name order.",
            Arity = ArgumentArity.OneOrMore,
        }.RejectingUnknownOptions();
        var output = CommandLineTool.Text("--output", "Where the executed notebooks go, as <folder>/<relative path>.ipynb with every output.",
            "folder", aliases: "-o");
        output.Required = true;
        var passes = CommandLineTool.Positive<int>("--passes", "whole number",
            "Runs every cell N times in the same kernel (\"Run All\" N times, as a learner might); outputs come from the last pass.", 1);
        var rerunReverse = new Option<bool>("--rerun-reverse")
        {
            Description = "Then runs every code cell once more, from the last to the first, in the same kernel.",
            Arity = ArgumentArity.Zero,
        };
        var cellTimeout = CommandLineTool.Positive<double>("--cell-timeout", "number of seconds",
            "Fails a cell that runs longer than S seconds and goes on with the next notebook.", CellWatch.DefaultTimeout.TotalSeconds);
        cellTimeout.HelpName = "S";
        var requireChecks = new Option<bool>("--require-checks")
        {
            Description = "Fails a notebook whose exercise check does not pass (✘, or not yet implemented); without it a check's verdict is only reported.",
            Arity = ArgumentArity.Zero,
        };
        var run = new Command("run", "Executes each notebook top to bottom in a fresh C# kernel and writes the executed copy as .ipynb. " +
            "SIGTERM/SIGINT write the cells that finished, then exit with 143/130.")
        {
            notebooks, output, passes, rerunReverse, cellTimeout, requireChecks,
        };
        run.SetAction((parsed, _) => RunAsync(parsed.GetRequiredValue(notebooks), parsed.GetRequiredValue(output), parsed.GetValue(passes),
            TimeSpan.FromSeconds(parsed.GetValue(cellTimeout)), parsed.GetValue(rerunReverse), parsed.GetValue(requireChecks)));
        return new RootCommand("CamNotebooks.Runner: executes .dib notebooks headless. " +
            "Exit code: 0 when every cell passed, 1 when a cell failed, 2 when the input is wrong.") { run };
    }

    private static async Task<int> RunAsync(IReadOnlyList<string> inputs, string output, int passes, TimeSpan cellTimeout, bool rerunReverse,
        bool requireChecks)
    {
        var (stdout, stderr) = (RunnerGuards.Out, RunnerGuards.Error);
        List<(string Dib, string Ipynb)> plan;
        try
        {
            plan = Plan(inputs, output);
            foreach (var (dib, _) in plan) NotebookReader.LoadDib(dib); // refuse bad input before running anything
        }
        catch (NotebookFormatException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return 2;
        }

        if (LibraryCheck.Problems(plan.Select(p => p.Dib)) is { Count: > 0 } notBuilt)
        {
            foreach (string problem in notBuilt) stderr.WriteLine($"error: {problem}");
            return 2;
        }

        if (OutputFolders.Check(output, plan.Select(p => p.Ipynb)) is { } unwritable)
        {
            stderr.WriteLine($"error: {unwritable}");
            return 2;
        }

        var results = new List<NotebookResult>();
        foreach (var (dib, ipynb) in plan)
        {
            if (RunnerGuards.Interrupted.IsCompleted)
            {
                stdout.WriteLine($"not run: {dib} (the runner was stopped by {RunnerGuards.Interrupted.Result.Name})");
                continue;
            }
            stdout.WriteLine($"running {dib}");
            NotebookResult result;
            try
            {
                result = await NotebookExecution.RunAsync(dib, ipynb, message => stdout.WriteLine($"  {message}"), passes, cellTimeout, rerunReverse);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // One notebook's output failing must not stop the others.
                result = new NotebookResult(dib, ipynb, new CellFailure(Path.GetFileName(dib), 0, "", $"the executed notebook could not be written: {e.Message}"), TimeSpan.Zero, 0);
            }
            foreach (var verdict in result.CheckVerdicts)
                foreach (string line in verdict.Lines()) stdout.WriteLine($"  {line}");
            if (requireChecks && result.Succeeded && result.CheckVerdicts.FirstOrDefault(v => !v.Passed) is { } notPassed)
                result = result with
                {
                    Failure = new CellFailure(Path.GetFileName(dib), notPassed.CellNumber,
                        NotebookProgress.FirstLine(NotebookReader.LoadDib(dib).Elements[notPassed.CellNumber - 1].Contents),
                        $"the exercise check did not pass (--require-checks): {notPassed.Summary}"),
                };
            results.Add(result);
            stdout.WriteLine(result.Succeeded
                ? $"  ok: {result.CellsRun} code cells in {result.Elapsed.TotalSeconds:F1} s -> {ipynb}"
                : $"  FAILED: {result.Failure} -> {ipynb}");
        }
        var failures = results.Where(r => !r.Succeeded).ToList();
        stdout.WriteLine($"{results.Count - failures.Count} notebooks passed, {failures.Count} failed, {results.Sum(r => r.Elapsed.TotalSeconds):F1} s in all.");
        var verdicts = results.SelectMany(r => r.CheckVerdicts).ToList();
        if (verdicts.Count > 0)
        {
            int passed = verdicts.Count(v => v.Passed), notStarted = verdicts.Count(v => v.NotImplemented);
            stdout.WriteLine($"exercise checks: {passed} passed, {verdicts.Count - passed - notStarted} not passed, {notStarted} not yet implemented" +
                             (requireChecks || passed == verdicts.Count ? "." : " (reported only; --require-checks makes them fail the run)."));
        }
        foreach (var failure in failures) stderr.WriteLine($"error: {failure.Failure}");
        foreach (var stray in RunnerGuards.StrayBackgroundErrors) stderr.WriteLine($"error: {stray}");
        int exitCode = failures.Count == 0 && RunnerGuards.StrayBackgroundErrors.Count == 0 ? 0 : 1;
        if (RunnerGuards.Interrupted.IsCompleted)
        {
            stderr.WriteLine($"error: stopped by {RunnerGuards.Interrupted.Result.Name}; the cells that finished are written.");
            exitCode = RunnerGuards.Interrupted.Result.ExitCode;
        }
        return RunnerGuards.Finish(exitCode);
    }

    /// <summary>Expands folders into their .dib files and maps each to its output path, mirroring sub-folders.</summary>
    public static List<(string Dib, string Ipynb)> Plan(IEnumerable<string> inputs, string output)
    {
        var plan = new List<(string, string)>();
        foreach (string input in inputs)
        {
            if (Directory.Exists(input))
            {
                foreach (string dib in Directory.GetFiles(input, "*.dib", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                    plan.Add((dib, Path.Combine(output, Path.ChangeExtension(Path.GetRelativePath(input, dib), ".ipynb"))));
            }
            else if (File.Exists(input))
                plan.Add((input, Path.Combine(output, Path.ChangeExtension(Path.GetFileName(input), ".ipynb"))));
            else
                throw new NotebookFormatException($"Notebook not found: {Path.GetFullPath(input)}.");
        }
        return plan;
    }
}
