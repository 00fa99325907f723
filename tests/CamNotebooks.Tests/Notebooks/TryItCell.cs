using System.Text.RegularExpressions;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>
/// The "Try it" cell of a chapter (02, 03, 05): one short cell, starting with <see cref="Marker"/>, holding the values a
/// learner will want to change. <see cref="RunWith"/> runs the chapter with other values put into that cell, as a learner
/// would type them.
/// </summary>
public static class TryItCell
{
    /// <summary>The comment that opens a try-it cell.</summary>
    public const string Marker = "// Try it: change the value";

    /// <summary>The source of the chapter's try-it cell (fails the test if there is not exactly one).</summary>
    public static string Source(string dib)
    {
        var cells = RerunNotebook.Cells(dib).Where(c => c.Kernel == "csharp" && c.Code.StartsWith(Marker, StringComparison.Ordinal)).ToList();
        Assert.True(cells.Count == 1, $"expected exactly one code cell starting with '{Marker}', found {cells.Count}");
        return cells[0].Code;
    }

    /// <summary>The names the try-it cell declares (<c>var x = ...</c>, <c>int x = ...</c>).</summary>
    public static List<string> Names(string dib) =>
        Regex.Matches(Source(dib), @"^\s*(?:var|int|string|double|const int)\s+(?<name>\w+)\s*=", RegexOptions.Multiline).Select(m => m.Groups["name"].Value).ToList();

    /// <summary>
    /// Runs <paramref name="notebook"/> once in the project's runner with each (From, To) replaced in its try-it cell only.
    /// The edited copy lives in a temporary folder laid out like the repository (notebooks/ beside links to data/ and
    /// artifacts/), so the notebook's relative paths work unchanged.
    /// </summary>
    public static ExecutedNotebook RunWith(string notebook, params (string From, string To)[] edits)
    {
        string dib = File.ReadAllText(Path.Combine(Repository.Notebooks, notebook));
        string cell = Source(dib), edited = cell;
        foreach (var (from, to) in edits)
        {
            Assert.True(edited.Contains(from, StringComparison.Ordinal), $"the try-it cell of {notebook} has no '{from}':\n{cell}");
            edited = edited.Replace(from, to, StringComparison.Ordinal);
        }
        string root = Path.Combine(Path.GetTempPath(), "camnb-tryit-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "notebooks"));
        Directory.CreateSymbolicLink(Path.Combine(root, "data"), Path.Combine(Repository.Root, "data"));
        Directory.CreateSymbolicLink(Path.Combine(root, "artifacts"), Path.Combine(Repository.Root, "artifacts"));
        string path = Path.Combine(root, "notebooks", notebook);
        File.WriteAllText(path, dib.Replace(cell, edited, StringComparison.Ordinal));
        string output = Path.Combine(root, "out");
        var outcome = ProcessRunner.RunNotebooks(output, passes: 1, path);
        return new ExecutedNotebook(notebook, outcome, Path.Combine(output, Path.ChangeExtension(notebook, ".ipynb")));
    }
}
