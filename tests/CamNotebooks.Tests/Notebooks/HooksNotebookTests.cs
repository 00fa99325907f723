using System.Globalization;
using System.Text.RegularExpressions;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>The facts 01_hooks.dib's prose claims, checked against its executed outputs.</summary>
[Collection(NotebookCollection.Name)]
public class HooksNotebookTests
{
    private static ExecutedNotebook Hooks => ExecutedNotebook.Get("01_hooks.dib");

    private const string Number = @"(?<value>-?[0-9.]+)";

    private static int Int(Match match, string group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    private static double Double(Match match, string group) => double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [Fact]
    public void A_hook_fires_through_call_and_not_through_forward()
    {
        Hooks.Find(@"After body\.forward\(batch\): the hook ran 0 time\(s\)");
        Hooks.Find(@"hook on ResNetBody: input \[1, 3, 224, 224\], output \[1, 512, 7, 7\]");
        Hooks.Find(@"After body\.call\(batch\): the hook ran 1 time\(s\)");
    }

    [Fact]
    public void The_keeper_stores_layer4_and_an_uncopied_output_is_disposed()
    {
        Hooks.Find(@"layer4 keeper: 1 call\(s\), stored \[1, 512, 7, 7\]");
        Hooks.Find(@"The output kept without a copy is disposed: True");
    }

    [Fact]
    public void Training_mode_changes_the_activations_and_the_statistics_are_restored()
    {
        Assert.True(Hooks.Number($@"max \|eval output - train output\| = {Number}") > 1);
        var changed = Hooks.Find(@"changed (?<changed>\d+) of the (?<all>\d+) running-statistics buffers; after restoring them the eval output is unchanged: True");
        Assert.InRange(Int(changed, "changed"), 1, Int(changed, "all"));
    }

    [Fact]
    public void The_folded_copy_has_no_batch_norms_keeps_layer4_and_matches_the_eval_output()
    {
        var counts = Hooks.Find(@"Batch norm modules: (?<body>\d+) in the body, (?<folded>\d+) in the folded copy");
        Assert.Equal(22, Int(counts, "body")); // stem 1, two per block (9 blocks), one per projection shortcut (3)
        Assert.Equal(0, Int(counts, "folded"));
        Hooks.Find(@"A hook on the copy's layer4 saw \[1, 512, 7, 7\]");
        var difference = Hooks.Find(@"max \|folded output - eval output\| = (?<diff>[0-9.e-]+) \(outputs range up to (?<range>[0-9.]+)\)");
        Assert.InRange(double.Parse(difference.Groups["diff"].Value, CultureInfo.InvariantCulture), 0, 1e-3);
        Assert.True(Double(difference, "range") > 1);
    }

    [Fact]
    public void No_grad_outputs_carry_no_graph()
    {
        Hooks.Find(@"Without no_grad: layer4 output requires_grad = True, is_leaf = False");
        Hooks.Find(@"With no_grad: +layer4 output requires_grad = False, is_leaf = True");
    }

    [Fact]
    public void The_stage_table_lists_every_stage_shape_in_order()
    {
        Hooks.Find(@"^stem +\[1, 64, 56, 56\] +64 +56x56 +4x4\s*\n" +
                   @"layer1 +\[1, 64, 56, 56\] +64 +56x56 +4x4\s*\n" +
                   @"layer2 +\[1, 128, 28, 28\] +128 +28x28 +8x8\s*\n" +
                   @"layer3 +\[1, 256, 14, 14\] +256 +14x14 +16x16\s*\n" +
                   @"layer4 +\[1, 512, 7, 7\] +512 +7x7 +32x32");
    }

    [Fact]
    public void The_library_hook_stores_by_name_and_explains_a_read_after_dispose()
    {
        Hooks.Find(@"Hook on layer4: 1 call\(s\), stored \[1, 512, 7, 7\]");
        Hooks.Find(@"Reading it afterwards: The hook on 'layer4' has been disposed");
    }

    [Fact]
    public void The_hook_group_gives_the_same_shapes_and_removes_all_its_hooks()
    {
        Hooks.Find(@"^stem +\[1, 64, 56, 56\]\s*\nlayer1 +\[1, 64, 56, 56\]\s*\nlayer2 +\[1, 128, 28, 28\]\s*\n" +
                   @"layer3 +\[1, 256, 14, 14\]\s*\nlayer4 +\[1, 512, 7, 7\]\s*\nHooks registered inside the block: 5");
        Hooks.Find(@"Hooks registered after the block: 0");
    }

    [Fact]
    public void The_photo_and_the_feature_map_grid_are_shown_as_pngs()
    {
        var html = Hooks.Cells.SelectMany(c => c.Outputs).Where(o => o.Mime == "text/html").Select(o => o.Data).ToList();
        static List<byte[]> Pngs(string data) => Regex.Matches(data, "base64,(?<png>[A-Za-z0-9+/=]+)")
            .Select(m => Convert.FromBase64String(m.Groups["png"].Value)).ToList();
        var photo = Assert.Single(html, h => h.StartsWith("<img src=\"data:image/png;base64,", StringComparison.Ordinal));
        Assert.Equal((224, 224), PngSize(Pngs(photo).Single()));
        // The grid: the input and 8 channels, 112 pixels each, in rows of 5, each captioned in text.
        var grid = Assert.Single(html, h => h.StartsWith("<div class=\"camnb-figures\"", StringComparison.Ordinal));
        var tiles = Pngs(grid);
        Assert.Equal(9, tiles.Count);
        Assert.All(tiles, png => Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]));
        Assert.All(tiles, png => Assert.Equal((112, 112), PngSize(png)));
        Assert.Contains("max-width:600px", grid); // 5 cells of 112 + 2 * 4
        var captions = Regex.Matches(grid, "<figcaption[^>]*>(?<c>[^<]*)</figcaption>").Select(m => m.Groups["c"].Value).ToList();
        Assert.Equal("input", captions[0]);
        Assert.All(captions.Skip(1), c => Assert.Matches(@"^layer1 ch \d+$", c));
    }

    [Fact]
    public void A_removed_hook_stops_counting()
    {
        var calls = Hooks.Find(@"Hook calls: (?<before>\d+) -> (?<during>\d+) during 2 passes while registered; -> (?<after>\d+) during 2 passes after remove\(\)");
        Assert.Equal(Int(calls, "before") + 2, Int(calls, "during"));
        Assert.Equal(Int(calls, "during"), Int(calls, "after"));
    }

    [Fact]
    public void Using_removes_the_hook_at_the_end_of_the_block_and_on_an_exception()
    {
        Hooks.Find(@"Inside the using block: stored \[1, 512, 7, 7\]");
        Hooks.Find(@"After the block: the hook ran 1 time\(s\) in all");
        Hooks.Find(@"Caught: something went wrong halfway through the analysis");
        Hooks.Find(@"The hook ran 1 time\(s\): it was removed when the exception left the block");
    }

    [Fact]
    public void Activation_stats_record_every_training_batch_and_the_loss_falls()
    {
        var recorded = Hooks.Find(@"Trained on (?<steps>\d+) batches; ActivationStats recorded (?<batches>\d+) batches for each of (?<layers>\d+) layers \((?<records>\d+) records\)");
        int steps = Int(recorded, "steps");
        Assert.InRange(steps, 100, 1000);
        Assert.Equal(steps, Int(recorded, "batches"));
        Assert.Equal(4, Int(recorded, "layers"));
        Assert.Equal(4 * steps, Int(recorded, "records"));
        var loss = Hooks.Find($@"Mean loss: first 40 batches {Number}, last 40 batches (?<last>[0-9.]+)");
        Assert.InRange(Double(loss, "value"), 2.2, 2.4); // about ln 10: uniform guessing among 10 classes
        Assert.True(Double(loss, "last") < 1, "the prose says the loss drops well below 1");
    }

    [Fact]
    public void Activation_stats_show_what_the_prose_says()
    {
        var blocks = Enumerable.Range(1, 4).ToDictionary(b => b, b => Hooks.Find(
            $@"^block{b} +{Number} -> +(?<meanEnd>-?[0-9.]+) +(?<stdStart>[0-9.]+) -> +(?<stdEnd>[0-9.]+) +(?<zeroStart>[0-9.]+) -> +(?<zeroEnd>[0-9.]+)"));
        foreach (var b in new[] { 2, 3, 4 })
        {
            var row = blocks[b];
            Assert.True(Double(row, "zeroStart") > 70, $"block{b} starts almost silent");
            Assert.True(Double(row, "stdStart") < 0.1, $"block{b} starts with a tiny spread");
            Assert.True(Double(row, "zeroEnd") < Double(row, "zeroStart"), $"block{b}: fewer near-zero activations at the end");
            Assert.True(Double(row, "stdEnd") > 3 * Double(row, "stdStart"), $"block{b}: spread grows several-fold");
            Assert.True(Double(row, "meanEnd") > 3 * Double(row, "value"), $"block{b}: mean grows several-fold");
        }
        Assert.InRange(Double(blocks[1], "zeroStart"), 35, 65); // about half: the black background
        Assert.InRange(Double(blocks[1], "zeroEnd"), 35, 65);
        var chart = Hooks.Cells.SelectMany(c => c.Outputs).Where(o => o.Mime == "text/html" && o.Data.Contains("Activation statistics per batch")).ToList();
        Assert.Single(chart);
        Assert.Contains("Plotly.newPlot", chart[0].Data);
    }

    /// <summary>Width and height from a PNG's IHDR chunk (bytes 16..23, big-endian).</summary>
    internal static (int Width, int Height) PngSize(byte[] png) =>
        (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)),
         System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
}
