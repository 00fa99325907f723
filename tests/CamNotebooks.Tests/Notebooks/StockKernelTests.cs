using CamNotebooks.Book.Notebooks;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>
/// Every notebook also passes in the stock kernel VS Code users get: dotnet-repl 0.3.259 (from the repository's tool
/// manifest) is the same .NET Interactive build as the Polyglot Notebooks extension's.
/// </summary>
[Collection(NotebookCollection.Name)]
public class StockKernelTests
{
    private static readonly Lazy<ProcessRunner.Outcome> ToolRestore = new(() =>
        ProcessRunner.Run("dotnet", ["tool", "restore"], Repository.Root, TimeSpan.FromMinutes(5)));

    [Theory]
    [MemberData(nameof(Repository.AllNotebooks), MemberType = typeof(Repository))]
    public void Notebook_passes_in_dotnet_repl(string notebook)
    {
        string path = Path.Combine(Repository.Notebooks, notebook);
        string output = Path.Combine(Repository.Root, "artifacts", "test-dotnet-repl", Path.ChangeExtension(notebook, ".ipynb"));
        var outcome = RunInDotnetRepl(path, output);
        Assert.True(outcome.ExitCode == 0, $"{notebook} failed in dotnet-repl (exit {outcome.ExitCode}).\n{FailedCells(output)}\n{outcome}");
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

    /// <summary>The failing cells of an executed notebook, for a message that says what broke.</summary>
    internal static string FailedCells(string ipynb)
    {
        if (!File.Exists(ipynb)) return "(no executed notebook was written)";
        var failures = CamNotebooks.Book.Notebooks.ExecutedNotebook.Load(ipynb).Cells
            .Select((cell, index) => (cell, index))
            .Where(c => c.cell.Outputs.OfType<ErrorOutput>().Any())
            .Select(c => $"cell {c.index + 1} ('{c.cell.Source.Split('\n')[0]}'): " +
                         string.Join(" | ", c.cell.Outputs.OfType<ErrorOutput>().Select(error => error.Message)));
        return string.Join("\n", failures);
    }
}
