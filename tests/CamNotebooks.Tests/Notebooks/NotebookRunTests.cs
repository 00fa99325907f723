namespace CamNotebooks.Tests.Notebooks;

/// <summary>
/// Every notebook in notebooks/ runs top to bottom in the project's runner (one test per notebook), and "Run All" twice
/// in one kernel works: the second pass's outputs are the ones kept.
/// </summary>
[Collection(NotebookCollection.Name)]
public class NotebookRunTests
{
    [Theory]
    [MemberData(nameof(Repository.AllNotebooks), MemberType = typeof(Repository))]
    public void Notebook_runs_top_to_bottom_twice_in_the_project_runner(string notebook)
    {
        var executed = ExecutedNotebook.Get(notebook);
        Assert.True(executed.Outcome.ExitCode == 0, executed.Outcome.ToString());
        Assert.True(File.Exists(executed.IpynbPath));
        Assert.All(executed.Cells, cell => Assert.Empty(cell.Errors));
    }
}
