namespace CamNotebooks.Tests.Notebooks;

/// <summary>
/// A learner goes back up a chapter and re-runs cells. After Run All, every code cell of every chapter runs once more from
/// the last to the first in the same kernel: here in the project's runner (<c>--rerun-reverse</c>); in the stock kernel
/// see <see cref="StockKernelTests"/>.
/// </summary>
[Collection(NotebookCollection.Name)]
public class RerunTests
{
    public static IEnumerable<object[]> Chapters() => Repository.AllNotebooks().Where(n => ExecutedNotebook.IsChapter((string)n[0]));

    [Theory]
    [MemberData(nameof(Chapters))]
    public void Every_code_cell_reruns_last_to_first_in_the_project_runner(string notebook)
    {
        var executed = ExecutedNotebook.Get(notebook);
        Assert.True(executed.Outcome.ExitCode == 0, executed.Outcome.ToString());
        Assert.Contains($"{Path.GetFileName(notebook)}: re-running the code cells from the last to the first", executed.Outcome.StandardOutput);
        int codeCells = executed.Cells.Count(c => c.Kind == "code" && c.Source.Trim().Length > 0);
        Assert.Equal(codeCells, executed.Outcome.StandardOutput.Split('\n').Count(l => l.Contains(": re-run of cell ") && l.TrimEnd().EndsWith(" ok")));
    }
}
