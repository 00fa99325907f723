namespace CamNotebooks.Runner;

/// <summary>The runner's command line.</summary>
public static class RunnerCommand
{
    private const string Usage = """
        usage: CamNotebooks.Runner run <notebook.dib | folder>... --output <folder> [--passes N] [--rerun-reverse] [--cell-timeout S]
          Executes each notebook top to bottom in a fresh C# kernel (folders: every .dib inside, recursively, in name order)
          and writes <folder>/<relative path>.ipynb with every output.
          --passes 2 runs every cell twice in the same kernel ("Run All" twice), as a learner might; outputs come from the last pass.
          --rerun-reverse then runs every code cell once more, from the last to the first, in the same kernel.
          --cell-timeout S fails a cell that runs longer than S seconds (default 1200) and goes on with the next notebook.
          SIGTERM/SIGINT write the cells that finished, then exit with 143/130.
          Exit code: 0 when every cell passed, 1 when a cell failed, 2 when the input is wrong.
        """;

    /// <summary>Parses <paramref name="args"/> and runs; returns the process exit code.</summary>
    public static async Task<int> MainAsync(string[] args)
    {
        RunnerGuards.Install();
        var (stdout, stderr) = (RunnerGuards.Out, RunnerGuards.Error); // a hung cell keeps Console redirected: use the real streams
        if (args.Length == 0 || args[0] != "run")
            return Fail(args.Length == 0 ? "no command given." : $"unknown command '{args[0]}'.");
        var inputs = new List<string>();
        string? output = null;
        int passes = 1;
        bool rerunReverse = false;
        TimeSpan cellTimeout = CellWatch.DefaultTimeout;
        for (int i = 1; i < args.Length; i++)
        {
            if (args[i] is "--output" or "-o")
            {
                if (++i >= args.Length) return Fail("--output needs a folder.");
                output = args[i];
            }
            else if (args[i] == "--passes")
            {
                if (++i >= args.Length || !int.TryParse(args[i], out passes) || passes < 1) return Fail("--passes needs a positive whole number.");
            }
            else if (args[i] == "--rerun-reverse") rerunReverse = true;
            else if (args[i] == "--cell-timeout")
            {
                if (++i >= args.Length || !double.TryParse(args[i], System.Globalization.CultureInfo.InvariantCulture, out double seconds) || seconds <= 0)
                    return Fail("--cell-timeout needs a positive number of seconds.");
                cellTimeout = TimeSpan.FromSeconds(seconds);
            }
            else inputs.Add(args[i]);
        }
        if (inputs.Count == 0) return Fail("no notebook given.");
        if (output is null) return Fail("--output <folder> is required.");

        List<(string Dib, string Ipynb)> plan;
        try
        {
            plan = Plan(inputs, output);
            foreach (var (dib, _) in plan) DibNotebook.Load(dib); // refuse bad input before running anything
        }
        catch (NotebookFormatException e)
        {
            stderr.WriteLine($"error: {e.Message}");
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
            results.Add(result);
            stdout.WriteLine(result.Succeeded
                ? $"  ok: {result.CellsRun} code cells in {result.Elapsed.TotalSeconds:F1} s -> {ipynb}"
                : $"  FAILED: {result.Failure} -> {ipynb}");
        }
        var failures = results.Where(r => !r.Succeeded).ToList();
        stdout.WriteLine($"{results.Count - failures.Count} notebooks passed, {failures.Count} failed, {results.Sum(r => r.Elapsed.TotalSeconds):F1} s in all.");
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

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
