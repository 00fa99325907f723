using System.Text.RegularExpressions;
using CamNotebooks.Tests.Notebooks;
using NetArchTest.Rules;

namespace CamNotebooks.Tests.Layering;

/// <summary>
/// The library's layers, read from its compiled IL (every type a type's signatures and method bodies reference), not
/// from <c>using</c> lines: a namespace may use only namespaces of lower layers. lib/README.md draws the same list.
/// </summary>
public class LayerTests
{
    /// <summary>Bottom to top; namespaces on one line are peers and may not use each other. A sub-namespace belongs to its parent's layer.</summary>
    internal static readonly string[][] Layers =
    [
        ["CamNotebooks.IO"],                                // atomic file writes
        ["CamNotebooks.Setup"],                             // OpenMP, the native fix, the FSharp.Core redirect
        ["CamNotebooks.Imaging"],                           // pictures in and out (decode, resize, PNG)
        ["CamNotebooks.Hooks"],                             // the core: hooks,
        ["CamNotebooks.Maps"],                              //   CAM methods,
        ["CamNotebooks.Heatmaps"],                          //   heatmap math, colour and overlays
        ["CamNotebooks.Model", "CamNotebooks.Data"],        // the chapter's world: the pretrained ResNet, the photos
        ["CamNotebooks.Learning"],                          //   training the classifier
        ["CamNotebooks.Evaluation", "CamNotebooks.Exercises"], // measuring maps; the exercise checks
        ["CamNotebooks.Display"],                           // notebook formatters and charts
        [Root],                                             // CamEnvironment, the set-up cell's call
    ];

    /// <summary>The hook-and-heatmap helpers the chapters are about.</summary>
    internal static readonly string[] Core = ["CamNotebooks.Hooks", "CamNotebooks.Maps", "CamNotebooks.Heatmaps"];

    private const string Root = "CamNotebooks";

    private static readonly System.Reflection.Assembly Library = typeof(CamEnvironment).Assembly;

    public static TheoryData<string> Namespaces() => [.. Layers.SelectMany(layer => layer)];

    [Fact]
    public void Every_namespace_of_the_library_has_a_layer()
    {
        var pattern = new Regex(Within(Layers.SelectMany(layer => layer)));
        var unknown = Library.GetTypes().Select(t => t.Namespace).OfType<string>().Where(n => !pattern.IsMatch(n)).Distinct().ToList();
        Assert.True(unknown.Count == 0, $"Namespaces without a layer: {string.Join(", ", unknown)}. Add each to {nameof(Layers)} (and lib/README.md).");
    }

    [Theory]
    [MemberData(nameof(Namespaces))]
    public void A_namespace_uses_only_lower_layers(string name)
    {
        int level = Array.FindIndex(Layers, layer => layer.Contains(name));
        var notBelow = Layers.Skip(level).SelectMany(layer => layer).Where(other => other != name).SelectMany(Targets).ToArray();
        var result = InNamespace(name).ShouldNot().HaveDependencyOnAny(notBelow).GetResult();
        Assert.True(result.IsSuccessful, $"{name} uses a namespace of its own layer or above it:\n{Explain(result)}");
    }

    [Fact]
    public void The_core_needs_only_the_runtime_TorchSharp_and_pictures()
    {
        var result = Types.InAssembly(Library).That().ResideInNamespaceMatching(Within(Core)).Should()
            .OnlyHaveDependencyOn([.. Core, "CamNotebooks.Imaging", "System", "TorchSharp"]).GetResult();
        Assert.True(result.IsSuccessful, $"The core (hooks, CAM methods, heatmaps) depends on more than TorchSharp and Imaging:\n{Explain(result)}");
    }

    [Fact]
    public void Only_the_display_layer_knows_the_notebook_kernel_and_the_chart_libraries()
    {
        var belowDisplay = Layers.TakeWhile(layer => !layer.Contains("CamNotebooks.Display")).SelectMany(layer => layer).ToArray();
        var result = Types.InAssembly(Library).That().ResideInNamespaceMatching(Within(belowDisplay)).ShouldNot()
            .HaveDependencyOnAny("Microsoft.DotNet.Interactive", "Plotly.NET", "XPlot", "FSharp").GetResult();
        Assert.True(result.IsSuccessful, $"Below CamNotebooks.Display, these use the kernel's formatting or a chart library:\n{Explain(result)}");
    }

    /// <summary>
    /// The exercise checks judge a learner's code with what a learner could call: the public API of the layers below (what a
    /// check legitimately needs is public), never another namespace's internal types.
    /// </summary>
    [Fact]
    public void The_exercise_checks_use_only_public_types_of_other_namespaces()
    {
        const string Exercises = "CamNotebooks.Exercises";
        var internals = Library.GetTypes()
            .Where(t => !t.IsVisible && t.DeclaringType is null && !t.Name.StartsWith('<') && t.Namespace is { } ns && ns.StartsWith(Root + ".")
                        && !Regex.IsMatch(ns, Within([Exercises])))
            .Select(t => t.FullName!).ToArray();
        Assert.Contains("CamNotebooks.Maps.LayerProbe", internals); // the list is what it claims to be
        var result = InNamespace(Exercises).ShouldNot().HaveDependencyOnAny(internals).GetResult();
        Assert.True(result.IsSuccessful, $"{Exercises} uses internal types of other namespaces:\n{Explain(result)}");
    }

    /// <summary>
    /// The checks are one type per exercise, not one class spread over files (the facade <c>Check</c> only forwards), and the
    /// folder stays smaller than when issue 22 was filed: 2,156 non-blank lines, with a 1,190-line partial class over nine files.
    /// </summary>
    [Fact]
    public void The_exercise_checks_are_one_type_per_exercise_in_fewer_lines_than_before()
    {
        var files = Directory.GetFiles(Path.Combine(Repository.Root, "lib", "CamNotebooks", "Exercises"), "*.cs");
        var partial = files.Where(f => File.ReadLines(f).Any(l => Regex.IsMatch(l, @"\bpartial\s+(class|record|struct)\b"))).Select(Path.GetFileName).ToList();
        Assert.True(partial.Count == 0, $"partial types in Exercises/: {string.Join(", ", partial)}");
        int lines = files.Sum(f => File.ReadLines(f).Count(l => !string.IsNullOrWhiteSpace(l)));
        Assert.True(lines < 2156, $"Exercises/ has {lines} non-blank lines, issue 22 began at 2,156: it must stay below.");
    }

    [Fact]
    public void The_core_is_small_enough_to_read_in_one_sitting()
    {
        // Lines of code: neither blank nor a comment (// or ///). Data files (the colormap tables) are not code.
        var files = Core.SelectMany(ns => Directory.GetFiles(Path.Combine(Repository.Root, "lib", "CamNotebooks", ns[(Root.Length + 1)..]), "*.cs")).ToList();
        int lines = files.Sum(f => File.ReadLines(f).Select(l => l.Trim()).Count(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal)));
        Assert.True(lines <= 1000, $"The core has {lines} lines of code in {files.Count} files; the target is at most 1,000.");
    }

    private static PredicateList InNamespace(string name) => Types.InAssembly(Library).That().ResideInNamespaceMatching(Within([name]));

    /// <summary>A namespace pattern for <paramref name="names"/> and their sub-namespaces (the root: itself only).</summary>
    private static string Within(IEnumerable<string> names) =>
        "^(" + string.Join("|", names.Select(n => n == Root ? Regex.Escape(n) : Regex.Escape(n) + @"(\..+)?")) + ")$";

    /// <summary>A namespace as a dependency to look for; the root's types one by one (its name would match every namespace).</summary>
    private static IEnumerable<string> Targets(string name) =>
        name == Root ? Library.GetTypes().Where(t => t.Namespace == Root && !t.IsNested).Select(t => t.FullName!) : [name];

    private static string Explain(TestResult result) =>
        string.Join("\n", (result.FailingTypes ?? []).Select(t => $"  {t.FullName}: {t.Explanation}"));
}
