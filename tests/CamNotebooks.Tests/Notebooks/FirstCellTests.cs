using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>
/// Every notebook opens with the same one-line cell, <c>#!import ../artifacts/notebook-lib/setup.csx</c>; the build
/// writes that file from Directory.Packages.props (the one place versions are pinned). These tests hold the notebooks,
/// the written file and the central versions together.
/// </summary>
public partial class FirstCellTests
{
    private static readonly IReadOnlyDictionary<string, string> CentralVersions =
        XDocument.Load(Path.Combine(Repository.Root, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!, StringComparer.OrdinalIgnoreCase);

    private static string SetupFile => Path.Combine(Repository.Root, "artifacts", "notebook-lib", "setup.csx");

    private static List<string> CodeCells(string notebook) =>
        RerunNotebook.Cells(File.ReadAllText(Path.Combine(Repository.Notebooks, notebook)))
            .Where(c => c.Kernel == "csharp").Select(c => c.Code.Trim()).ToList();

    [Theory]
    [MemberData(nameof(Repository.AllNotebooks), MemberType = typeof(Repository))]
    public void First_code_cell_is_the_one_line_import_of_the_set_up_file(string notebook)
    {
        var cells = CodeCells(notebook);
        Assert.True(cells.Count > 0, $"{notebook} has no C# cell.");
        int depth = notebook.Count(c => c == '/');
        string expected = $"#!import {string.Concat(Enumerable.Repeat("../", depth + 1))}artifacts/notebook-lib/setup.csx";
        Assert.Equal(expected, cells[0]);
    }

    [Fact]
    public void The_set_up_file_pins_the_central_versions_then_loads_the_library_and_calls_the_entry_point()
    {
        Assert.True(File.Exists(SetupFile), $"{SetupFile} is missing: building lib/CamNotebooks writes it.");
        string setup = File.ReadAllText(SetupFile);
        var references = NugetReferences(setup);
        Assert.Contains(references, r => r.Name == "TorchSharp-cpu");
        Assert.Contains(references, r => r.Name == "OnnxSharp"); // the library reads the pretrained network with it
        AssertCentral("setup.csx", references);
        Assert.DoesNotContain(references, r => r.Name == "XPlot.Plotly"); // only the chapter that draws with it loads it

        string library = Path.Combine(Repository.Root, "artifacts", "notebook-lib", "CamNotebooks.dll");
        Assert.Contains($"#r \"{library}\"", setup); // absolute: an imported file's #r resolves against the notebook's folder
        int initialize = setup.IndexOf("CamNotebooks.CamEnvironment.Initialize()", StringComparison.Ordinal);
        Assert.True(initialize > setup.LastIndexOf("#r ", StringComparison.Ordinal) && initialize > setup.LastIndexOf("using ", StringComparison.Ordinal),
            "Initialize() must come after every #r and using, before anything touches TorchSharp.");
        foreach (string ns in new[] { "TorchSharp", "static TorchSharp.torch", "CamNotebooks.Hooks", "CamNotebooks.Maps", "CamNotebooks.Exercises" })
            Assert.Contains($"using {ns};", setup);
    }

    [Fact]
    public void Every_library_namespace_the_set_up_file_brings_in_has_public_types()
    {
        // The list is NotebookUsing in lib/CamNotebooks/CamNotebooks.csproj; a namespace that no longer exists would fail
        // every notebook's first cell with CS0246.
        var namespaces = typeof(CamEnvironment).Assembly.GetExportedTypes().Select(t => t.Namespace).ToHashSet();
        var used = Regex.Matches(File.ReadAllText(SetupFile), @"^using (?<ns>CamNotebooks[\w.]*);", RegexOptions.Multiline).Select(m => m.Groups["ns"].Value).ToList();
        Assert.NotEmpty(used);
        Assert.All(used, ns => Assert.True(namespaces.Contains(ns), $"setup.csx brings in {ns}, which has no public type in CamNotebooks.dll."));
    }

    [Theory]
    [MemberData(nameof(Repository.AllNotebooks), MemberType = typeof(Repository))]
    public void Any_package_a_notebook_loads_itself_is_pinned_at_the_central_version(string notebook)
    {
        AssertCentral(notebook, CodeCells(notebook).SelectMany(NugetReferences).ToList());
    }

    [Theory]
    [MemberData(nameof(Repository.AllNotebooks), MemberType = typeof(Repository))]
    public void XPlot_is_loaded_only_where_a_chart_is_drawn_with_it_right_after_the_set_up(string notebook)
    {
        var cells = CodeCells(notebook);
        bool draws = cells.Any(c => c.Contains("ToXPlotChart(", StringComparison.Ordinal) || c.Contains("XPlot.Plotly.", StringComparison.Ordinal));
        int loads = cells.FindIndex(c => NugetReferences(c).Any(r => r.Name == "XPlot.Plotly"));
        Assert.True(draws == loads >= 0, draws ? $"{notebook} draws with XPlot but does not load it." : $"{notebook} loads XPlot.Plotly but draws nothing with it.");
        // The library references XPlot: added after a cell has made one of the library's objects, the package makes the
        // kernel see the library's types twice (CS1503 'cannot convert from HeatmapOverlay [CamNotebooks, ...]').
        if (draws) Assert.True(loads == 1, $"{notebook} loads XPlot.Plotly in code cell {loads + 1}; it must be the cell right after the set-up.");
    }

    private static void AssertCentral(string source, List<(string Name, string Version)> references)
    {
        foreach (var (name, version) in references)
        {
            Assert.True(CentralVersions.TryGetValue(name, out var central), $"{source} references {name}, which Directory.Packages.props does not pin.");
            Assert.True(version == central, $"{source} pins {name} {version}, Directory.Packages.props says {central}.");
        }
    }

    private static List<(string Name, string Version)> NugetReferences(string text)
    {
        var pinned = NugetReference().Matches(text).Select(m => (m.Groups["name"].Value, m.Groups["version"].Value)).ToList();
        int all = Regex.Count(text, @"#r\s+""nuget:");
        Assert.True(pinned.Count == all, $"{all - pinned.Count} #r \"nuget: ...\" reference(s) without a version in:\n{text}");
        return pinned;
    }

    [GeneratedRegex(@"#r\s+""nuget:\s*(?<name>[^,""\s]+)\s*,\s*\[?(?<version>[^\]""\s]+)\]?\s*""")]
    private static partial Regex NugetReference();
}
