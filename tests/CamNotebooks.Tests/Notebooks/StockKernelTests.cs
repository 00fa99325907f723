namespace CamNotebooks.Tests.Notebooks;

/// <summary>
/// Every notebook also passes in the stock kernel VS Code users get: dotnet-repl 0.3.259 (from the repository's tool
/// manifest) is the same .NET Interactive build as the Polyglot Notebooks extension's.
/// </summary>
[Collection(StockKernelCollection.Name)]
public class StockKernelTests
{
    [Theory]
    [MemberData(nameof(Repository.AllNotebooks), MemberType = typeof(Repository))]
    public void Notebook_passes_in_dotnet_repl(string notebook)
    {
        var run = StockKernelRun.Get(notebook);
        // A chapter's run goes on with its re-runs (RerunTests): here only its own cells, top to bottom, count.
        Assert.True(File.Exists(run.IpynbPath), $"{notebook}: dotnet-repl wrote no executed notebook.\n{run.Outcome}");
        Assert.True(run.Cells.Count >= run.OriginalCells, $"{notebook}: {run.Cells.Count} cells executed, {run.OriginalCells} expected.\n{run.Outcome}");
        string failed = run.FailedCells(run.OriginalCells);
        Assert.True(failed.Length == 0 && (run.IncludesReruns || run.Outcome.ExitCode == 0),
            $"{notebook} failed in dotnet-repl (exit {run.Outcome.ExitCode}).\n{failed}\n{run.Outcome}");
    }

    /// <summary>After Run All, every code cell of every chapter runs once more from the last to the first in the same kernel.</summary>
    [Theory]
    [MemberData(nameof(RerunTests.Chapters), MemberType = typeof(RerunTests))]
    public void Every_code_cell_reruns_last_to_first_in_dotnet_repl(string notebook)
    {
        var run = StockKernelRun.Get(notebook);
        Assert.True(run.IncludesReruns);
        int reruns = RerunNotebook.Cells(File.ReadAllText(Path.Combine(Repository.Notebooks, notebook)))
            .Count(c => c.Kernel == "csharp" && c.Code.Trim().Length > 0);
        Assert.True(run.Outcome.ExitCode == 0 && run.Cells.Count == run.OriginalCells + reruns,
            $"{notebook} re-run last to first failed in dotnet-repl (exit {run.Outcome.ExitCode}, {run.Cells.Count} cells for " +
            $"{run.OriginalCells} + {reruns} re-runs).\n{run.FailedCells()}\n{run.Outcome}");
    }
}
