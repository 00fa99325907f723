using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>
/// Every notebook opens with the same first code cell: exact package versions that agree with
/// Directory.Packages.props (the one place versions are pinned), the library by path, then the entry point.
/// </summary>
public partial class FirstCellTests
{
    private static readonly IReadOnlyDictionary<string, string> CentralVersions =
        XDocument.Load(Path.Combine(Repository.Root, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!, StringComparer.OrdinalIgnoreCase);

    [Theory]
    [MemberData(nameof(Repository.AllNotebooks), MemberType = typeof(Repository))]
    public void First_code_cell_pins_the_central_versions_and_calls_the_entry_point(string notebook)
    {
        string text = File.ReadAllText(Path.Combine(Repository.Notebooks, notebook));
        var cells = text.Split("\n#!csharp\n");
        Assert.True(cells.Length > 1, $"{notebook} has no C# cell.");
        string first = cells[1].Split("\n#!markdown\n")[0];

        var references = NugetReference().Matches(first).Select(m => (Name: m.Groups["name"].Value, Version: m.Groups["version"].Value)).ToList();
        Assert.Contains(references, r => r.Name == "TorchSharp-cpu");
        foreach (var (name, version) in references)
        {
            Assert.True(CentralVersions.TryGetValue(name, out var central), $"{notebook} references {name}, which Directory.Packages.props does not pin.");
            Assert.True(version == central, $"{notebook} pins {name} {version}, Directory.Packages.props says {central}.");
        }

        int depth = notebook.Count(c => c == '/');
        string libraryPath = string.Concat(Enumerable.Repeat("../", depth + 1)) + "artifacts/notebook-lib/CamNotebooks.dll";
        Assert.Contains($"#r \"{libraryPath}\"", first);
        Assert.Contains("CamEnvironment.Initialize()", first);
        Assert.True(first.IndexOf("CamEnvironment.Initialize()", StringComparison.Ordinal) > first.LastIndexOf("#r ", StringComparison.Ordinal),
            "Initialize() must come after every #r, before anything touches TorchSharp.");
    }

    [GeneratedRegex(@"#r\s+""nuget:\s*(?<name>[^,""\s]+)\s*,\s*\[?(?<version>[^\]""\s]+)\]?\s*""")]
    private static partial Regex NugetReference();
}
