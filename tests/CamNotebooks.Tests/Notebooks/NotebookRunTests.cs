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
        string output = Path.Combine(Repository.ExecutedNotebooks, Path.GetDirectoryName(notebook) ?? "");
        var outcome = ProcessRunner.RunNotebooks(output, passes: 2, Path.Combine(Repository.Notebooks, notebook));
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.True(File.Exists(Path.Combine(output, Path.ChangeExtension(Path.GetFileName(notebook), ".ipynb"))));
    }
}
