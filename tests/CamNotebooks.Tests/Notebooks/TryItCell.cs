using System.Text.RegularExpressions;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>
/// The "Try it" cell of a chapter (02, 03, 05): one short cell, starting with <see cref="Marker"/>, holding the values a
/// learner will want to change. <see cref="Variant"/> runs the chapter with other values put into that cell, as a learner
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
    /// Each chapter's try-it variant: its try-it cell with other values, as a learner would type them. The values are cheap
    /// ones (chapter 05 measures 2 photos, not 8): the tests check that every cell below the try-it cell follows the new
    /// values, not the figures.
    /// </summary>
    public static IReadOnlyDictionary<string, (string From, string To)[]> Variants { get; } = new Dictionary<string, (string From, string To)[]>
    {
        ["02_class_activation_maps.dib"] = [("\"Bengal_109.jpg\"", "\"beagle_10.jpg\"")],
        ["03_grad_cam.dib"] = [("int classIndex = PetsDataset.CatLabel;", "int classIndex = PetsDataset.DogLabel;"), ("\"body.layer3\"", "\"body.layer2\"")],
        ["05_measuring_maps.dib"] = [("int seed = 0;", "int seed = 1;"), ("int photoCount = 8;", "int photoCount = 2;")],
        ["06_cam_for_text.dib"] = [("Limited offer! Click here to claim your FREE prize, only $19.99, call 1-800-555-0199 today",
            "Re: razor servers, shall we discuss the patch at the meeting, Zorblax?")],
    };

    private static readonly Lazy<IReadOnlyDictionary<string, ExecutedNotebook>> VariantRuns = new(RunVariants);

    /// <summary>
    /// The chapter run once in the project's runner with its <see cref="Variants"/> values in its try-it cell. All the
    /// variants run together, once per test process, in one runner process (one start, one library load), each in a copy
    /// laid out like the repository (notebooks/ beside links to data/ and artifacts/), so relative paths work unchanged.
    /// </summary>
    public static ExecutedNotebook Variant(string notebook)
    {
        Assert.True(Variants.ContainsKey(notebook), $"{notebook} has no try-it variant in {nameof(TryItCell)}.{nameof(Variants)}.");
        return VariantRuns.Value[notebook];
    }

    private static IReadOnlyDictionary<string, ExecutedNotebook> RunVariants()
    {
        string root = Path.Combine(Path.GetTempPath(), "camnb-tryit-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "notebooks"));
        Directory.CreateSymbolicLink(Path.Combine(root, "data"), Path.Combine(Repository.Root, "data"));
        Directory.CreateSymbolicLink(Path.Combine(root, "artifacts"), Path.Combine(Repository.Root, "artifacts"));
        var paths = Variants.Keys.ToDictionary(n => n, n => Path.Combine(root, "notebooks", n));
        foreach (var (notebook, edits) in Variants)
        {
            string dib = File.ReadAllText(Path.Combine(Repository.Notebooks, notebook));
            string cell = Source(dib), edited = cell;
            foreach (var (from, to) in edits)
            {
                Assert.True(edited.Contains(from, StringComparison.Ordinal), $"the try-it cell of {notebook} has no '{from}':\n{cell}");
                edited = edited.Replace(from, to, StringComparison.Ordinal);
            }
            File.WriteAllText(paths[notebook], dib.Replace(cell, edited, StringComparison.Ordinal));
        }
        string output = Path.Combine(root, "out");
        var outcome = ProcessRunner.RunNotebooks(output, passes: 1, rerunReverse: false, requireChecks: false,
            timeout: TimeSpan.FromMinutes(5 * paths.Count), paths.Values.ToArray());
        return paths.ToDictionary(p => p.Key, p => new ExecutedNotebook(p.Key, ExecutedNotebook.PartOf(outcome, p.Value),
            Path.Combine(output, Path.ChangeExtension(p.Key, ".ipynb"))));
    }
}
