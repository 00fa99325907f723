using System.Collections.Concurrent;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>
/// A notebook executed once per test run in dotnet-repl 0.3.259 (the stock kernel of VS Code's Polyglot Notebooks), shared
/// by every test that asks about that kernel. A chapter runs as its re-run notebook (<see cref="RerunNotebook.Derive"/>:
/// every cell, then the code cells again from the last to the first), so one execution answers both "passes top to
/// bottom" (its first cells) and "every cell re-runs" (the rest); other notebooks run as they are.
/// </summary>
public sealed class StockKernelRun
{
    private static readonly ConcurrentDictionary<string, Lazy<StockKernelRun>> Runs = new();

    private static readonly Lazy<ProcessRunner.Outcome> ToolRestore = new(() =>
        ProcessRunner.Run("dotnet", ["tool", "restore"], Repository.Root, TimeSpan.FromMinutes(5)));

    private StockKernelRun(string notebook, int originalCells, ProcessRunner.Outcome outcome, string ipynbPath)
    {
        Notebook = notebook;
        OriginalCells = originalCells;
        Outcome = outcome;
        IpynbPath = ipynbPath;
        Cells = File.Exists(ipynbPath) ? ExecutedNotebook.ReadCells(ipynbPath) : [];
    }

    /// <summary>Path relative to notebooks/.</summary>
    public string Notebook { get; }

    /// <summary>How many cells the notebook itself has; the executed copy of a chapter has its re-runs after them.</summary>
    public int OriginalCells { get; }

    /// <summary>dotnet-repl's exit code (0 when every cell passed, 2 when any failed) and console output.</summary>
    public ProcessRunner.Outcome Outcome { get; }

    /// <summary>The executed copy dotnet-repl wrote.</summary>
    public string IpynbPath { get; }

    /// <summary>Every executed cell, the re-runs included.</summary>
    public IReadOnlyList<ExecutedCell> Cells { get; }

    /// <summary>True when the executed copy holds the chapter's re-runs after its own cells.</summary>
    public bool IncludesReruns => ExecutedNotebook.IsChapter(Notebook);

    /// <summary>The failing cells among the first <paramref name="count"/> (all when null), for a message that says what broke.</summary>
    public string FailedCells(int? count = null) => FailedCellsOf(IpynbPath, count);

    /// <summary>The failing cells among the first <paramref name="count"/> of the executed notebook at <paramref name="ipynb"/>.</summary>
    internal static string FailedCellsOf(string ipynb, int? count = null)
    {
        if (!File.Exists(ipynb)) return "(no executed notebook was written)";
        var cells = ExecutedNotebook.ReadCells(ipynb);
        var failures = cells.Take(count ?? cells.Count).Select((cell, index) => (cell, index)).Where(c => c.cell.Errors.Count > 0)
            .Select(c => $"cell {c.index + 1} ('{c.cell.Source.Split('\n')[0]}'): {string.Join(" | ", c.cell.Errors)}");
        return string.Join("\n", failures);
    }

    /// <summary>Runs the notebook in dotnet-repl (once per test process) and returns the result.</summary>
    public static StockKernelRun Get(string notebook) =>
        Runs.GetOrAdd(notebook, n => new Lazy<StockKernelRun>(() => Execute(n))).Value;

    private static StockKernelRun Execute(string notebook)
    {
        string source = Path.Combine(Repository.Notebooks, notebook);
        string text = File.ReadAllText(source);
        int cells = RerunNotebook.Cells(text).Count;
        string output = Path.Combine(Repository.Root, "artifacts", "test-dotnet-repl", Path.ChangeExtension(notebook, ".ipynb"));
        string dib = source;
        if (ExecutedNotebook.IsChapter(notebook))
        {
            dib = Path.Combine(Repository.Root, "artifacts", "test-dotnet-repl-rerun", Path.ChangeExtension(notebook, ".rerun.dib"));
            Directory.CreateDirectory(Path.GetDirectoryName(dib)!);
            File.WriteAllText(dib, RerunNotebook.Derive(text));
        }
        return new StockKernelRun(notebook, cells, RunInDotnetRepl(dib, output), output);
    }

    /// <summary>
    /// Runs <paramref name="dib"/> in dotnet-repl with the working directory of the chapter it comes from (notebooks/ or
    /// below it; a derived notebook elsewhere runs in notebooks/), as VS Code does.
    /// </summary>
    internal static ProcessRunner.Outcome RunInDotnetRepl(string dib, string output)
    {
        Assert.True(ToolRestore.Value.ExitCode == 0, ToolRestore.Value.ToString());
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        string folder = Path.GetFullPath(dib).StartsWith(Repository.Notebooks + Path.DirectorySeparatorChar) ? Path.GetDirectoryName(dib)! : Repository.Notebooks;
        // dotnet-repl 0.3.259 ignores --working-dir: start it in the notebook's folder.
        return ProcessRunner.Run("dotnet",
            ["dotnet-repl", "--run", Path.GetFullPath(dib), "--exit-after-run", "--output-format", "ipynb", "--output-path", output],
            folder, TimeSpan.FromMinutes(15));
    }
}
