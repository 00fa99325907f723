using System.Globalization;
using System.Text.RegularExpressions;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>
/// The numbers and facts that chapters 00-03 and exercise 01 state in their prose, read from the prose and compared with
/// the executed outputs beside it (issue 22). Reuses the one execution per notebook of <see cref="ExecutedNotebook"/>.
/// </summary>
[Collection(NotebookCollection.Name)]
public class ChapterProseTests
{
    private static ExecutedNotebook Hooks => ExecutedNotebook.Get("01_hooks.dib");
    private static ExecutedNotebook Cam => ExecutedNotebook.Get("02_class_activation_maps.dib");
    private static ExecutedNotebook GradCam => ExecutedNotebook.Get("03_grad_cam.dib");
    private static ExecutedNotebook ForwardHook => ExecutedNotebook.Get("exercises/01_forward_hook.dib");

    private static int Int(Match match, string group) =>
        int.Parse(match.Groups[group].Value.Replace(",", ""), CultureInfo.InvariantCulture);

    private static double Double(Match match, string group) => double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    /// <summary>The first match of <paramref name="pattern"/> in the notebook's markdown; fails if absent.</summary>
    private static Match Prose(ExecutedNotebook notebook, string pattern)
    {
        string markdown = string.Join("\n", notebook.Cells.Where(c => c.Kind == "markdown").Select(c => c.Source));
        var match = Regex.Match(markdown, pattern);
        Assert.True(match.Success, $"{notebook.Notebook}: no prose matches /{pattern}/");
        return match;
    }

    private static IEnumerable<string> Html(ExecutedNotebook notebook) =>
        notebook.Cells.SelectMany(c => c.Outputs).Where(o => o.Mime == "text/html").Select(o => o.Data);

    [Fact]
    public void Hooks_counts_the_training_images_as_its_output_does()
    {
        var prose = Prose(Hooks, @"(?<steps>\d+) batches of (?<batch>\d+) images: (?<images>[\d,]+) images, about two thirds of the (?<all>[\d,]+)");
        var output = Hooks.Find(@"Trained on (?<steps>\d+) batches of (?<batch>\d+) images: (?<images>\d+) of the (?<all>\d+) training images, each seen once");
        foreach (var group in new[] { "steps", "batch", "images", "all" }) Assert.Equal(Int(output, group), Int(prose, group));
        Assert.Equal(Int(output, "steps") * Int(output, "batch"), Int(output, "images"));
        Assert.InRange((double)Int(output, "images") / Int(output, "all"), 0.6, 0.72); // "about two thirds"
    }

    [Fact]
    public void Hooks_near_zero_share_dips_and_climbs_back_as_the_prose_says()
    {
        Prose(Hooks, @"The share of near-zero activations dips and climbs back");
        double finalLoss = Hooks.Number(@"last 40 batches (?<value>[0-9.]+)");
        foreach (var block in new[] { 3, 4 })
        {
            var row = Hooks.Find($@"^block{block} +-?[0-9.]+ -> +-?[0-9.]+ +[0-9.]+ -> +[0-9.]+ +(?<start>[0-9.]+) -> +(?<end>[0-9.]+)");
            var low = Hooks.Find($@"^block{block} +% near zero lowest over batches (?<from>\d+)-(?<to>\d+): +(?<low>[0-9.]+), loss there (?<loss>[0-9.]+)");
            Assert.Equal(Int(low, "from") + 19, Int(low, "to"));
            Assert.True(Double(low, "low") < Double(row, "start") - 10, $"block{block}: drops steeply ({row.Value} / {low.Value})");
            Assert.True(Double(row, "end") > Double(low, "low") + 5, $"block{block}: climbs back well above its lowest point");
            Assert.True(Double(row, "end") < Double(row, "start"), $"block{block}: ends below where it started");
            Assert.True(Double(low, "loss") > finalLoss + 0.3, $"block{block}: the dip comes while the loss is still well above its final {finalLoss}");
        }
    }

    [Fact]
    public void Hooks_comment_names_no_type_a_learner_cannot_write()
    {
        Assert.DoesNotContain("HookRemover", File.ReadAllText(Path.Combine(Repository.Notebooks, "01_hooks.dib")));
    }

    [Fact]
    public void Cam_says_whether_the_features_were_computed_or_read_from_the_cache()
    {
        Prose(Cam, @"Running the body is the slow part: the first time, you watch the photos go through it live below\. The features are then kept in your user cache");
        Prose(Cam, @"the line after the table says which happened, and how long it took");
        Cam.Find(@"^Features (computed|read from the cache) in [0-9.]+ s, head in [0-9.]+ s\.");
    }

    [Fact]
    public void Cam_relates_its_einsum_letters_to_the_books()
    {
        Prose(Cam, @"The book writes the same line as `'ij,jkl->ikl'`");
        Assert.InRange(Cam.Number(@"The book's 'ij,jkl->ikl' gives the same map: True \(max difference (?<value>[0-9.eE+-]+)\)"), 0, 1e-5);
    }

    [Fact]
    public void Grad_cam_counts_the_blocks_of_each_stage_as_the_model_has_them()
    {
        var prose = Prose(GradCam, @"four stages have (?<s1>\d+), (?<s2>\d+), (?<s3>\d+) and (?<s4>\d+) blocks");
        var output = GradCam.Find(@"^Blocks per stage: layer1 (?<s1>\d+), layer2 (?<s2>\d+), layer3 (?<s3>\d+), layer4 (?<s4>\d+)");
        foreach (var stage in new[] { "s1", "s2", "s3", "s4" }) Assert.Equal(Int(output, stage), Int(prose, stage));
        // "one block more than torchvision's ResNet-18, which has two in every stage"; its last block is layer4.2.
        Assert.Equal(3, Int(output, "s4"));
        Prose(GradCam, @"`layer4` has one block more than torchvision's ResNet-18, which has two in every stage");
        Prose(GradCam, @"so `layer4` is `layer4\.2`");
        Assert.Equal(0, GradCam.Number(@"Grad-CAM on layer4\.2 equals Grad-CAM on layer4: True \(max difference (?<value>[0-9.eE+-]+)\)"));
    }

    [Fact]
    public void Grad_cam_method_grids_name_each_photo_and_caption_each_map_in_full()
    {
        var heads = Regex.Matches(GradCam.AllText(), @"^(?<file>\S+\.jpg) \((cat|dog)\): rows Grad-CAM, Grad-CAM\+\+, LayerCAM", RegexOptions.Multiline);
        Assert.Equal(3, heads.Count);
        var grids = Html(GradCam).Where(h => h.Contains("Grad-CAM++, layer4")).ToList();
        Assert.Equal(3, grids.Count);
        foreach (var grid in grids)
        {
            var captions = Regex.Matches(grid, "<figcaption[^>]*>(?<c>[^<]*)</figcaption>").Select(m => m.Groups["c"].Value).ToList();
            Assert.Equal(
                from method in new[] { "Grad-CAM", "Grad-CAM++", "LayerCAM" } from layer in new[] { "layer4", "layer3", "layer2" } select $"{method}, {layer}",
                captions);
        }
    }

    [Theory]
    [InlineData("01_hooks.dib")]
    [InlineData("02_class_activation_maps.dib")]
    [InlineData("03_grad_cam.dib")]
    public void Grids_show_captions_as_text_never_drawn_into_the_picture(string notebook)
    {
        var executed = ExecutedNotebook.Get(notebook);
        var grids = Html(executed).Where(h => h.StartsWith("<div class=\"camnb-figures\"", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(grids);
        foreach (var grid in grids)
        {
            var figures = Regex.Matches(grid, "<figure.*?</figure>").Select(m => m.Value).ToList();
            Assert.All(figures, figure => Assert.Single(Regex.Matches(figure, "<img ")));
            // Each picture is exactly the image's size: no caption band drawn under it.
            foreach (Match image in Regex.Matches(grid, "width=\"(?<w>\\d+)\" height=\"(?<h>\\d+)\"[^>]*/><figcaption"))
                Assert.Contains(int.Parse(image.Groups["h"].Value, CultureInfo.InvariantCulture), new[] { 112, 224 });
            Assert.DoesNotContain("…", grid);
        }
        // A lone picture (chapter 01's photo) is one photo, not a grid drawn as one PNG with its captions.
        foreach (var single in Html(executed).Where(h => h.StartsWith("<img", StringComparison.Ordinal)))
        {
            var png = Assert.Single(Regex.Matches(single, "base64,(?<b>[A-Za-z0-9+/=]+)"));
            var (width, height) = HooksNotebookTests.PngSize(Convert.FromBase64String(png.Groups["b"].Value));
            Assert.True(width <= 224 && height <= 224, $"{notebook}: a single {width}x{height} picture");
        }
    }

    [Fact]
    public void Exercise_one_describes_layer4_in_words_a_learner_knows()
    {
        var line = ForwardHook.Find(@"^layer4 of the body: a Sequential of (?<blocks>\d+) blocks; classes: dog, cat");
        Assert.Equal(3, Int(line, "blocks"));
        Assert.DoesNotContain("torch::nn::", ForwardHook.AllText());
    }

    [Fact]
    public void Setup_names_every_way_to_open_the_notebooks_and_the_deprecation_once()
    {
        string source = File.ReadAllText(Path.Combine(Repository.Notebooks, "00_setup.dib"));
        int start = source.IndexOf("## Before you start", StringComparison.Ordinal);
        Assert.True(start >= 0);
        string section = source[start..source.IndexOf("\n## ", start + 5, StringComparison.Ordinal)];
        foreach (var way in new[] { "**VS Code**", "**Jupyter**", "**The live loop**", "**The book**" }) Assert.Contains(way, section);
        Assert.Contains("-- live notebooks/00_setup.dib", section);
        Assert.Contains("-- ipynb", section);
        Assert.Contains("out/book/index.html", section);
        var paragraphs = section.Split("\n\n");
        Assert.Single(paragraphs, p => p.Contains("deprecated", StringComparison.Ordinal));
        // The commands it names run projects that exist.
        foreach (Match project in Regex.Matches(section, @"--project (?<p>\S+)"))
            Assert.True(Directory.Exists(Path.Combine(Repository.Root, project.Groups["p"].Value)), project.Value);
    }
}
