using System.Globalization;
using System.Text.RegularExpressions;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>The facts 02_class_activation_maps.dib's prose claims, checked against its executed outputs.</summary>
[Collection(NotebookCollection.Name)]
public class CamNotebookTests
{
    private static ExecutedNotebook Cam => ExecutedNotebook.Get("02_class_activation_maps.dib");

    private const string Number = @"(?<value>-?[0-9.]+(?:e[-+]?[0-9]+)?)";

    private static double Double(Match match, string group) => double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [Fact]
    public void Training_shows_live_progress_and_at_most_one_validation_error()
    {
        Cam.Find(@"296 photos: 222 for training, 74 for validation \(24 cats, 50 dogs\)");
        Cam.Find(@"Features: 296/296 photos through the body");
        Cam.Find(@"^epoch  train_loss  valid_loss  accuracy  error_rate  time\s*\n +1 ");
        Assert.InRange(Cam.Number(@"Validation errors: (?<value>\d+) of 74 photos"), 0, 1);
    }

    [Fact]
    public void The_hero_is_a_cat_with_high_probability_and_the_class_order_is_dog_then_cat()
    {
        Cam.Find(@"Class order: \[0\] dog, \[1\] cat");
        Assert.True(Cam.Number($@"Prediction: cat, p\(cat\) = {Number}") > 0.95);
        Cam.Find(@"Classifier in training mode\? False");
    }

    [Fact]
    public void The_einsum_gives_one_7x7_map_per_class_that_averages_to_the_scores()
    {
        Cam.Find(@"Tensor \[512, 7, 7\] Float32 cpu, min 0 ");
        Cam.Find(@"CAM shape: \[2, 7, 7\] \(class, row, column\)");
        var fromMaps = Cam.Find(@"mean of each map \+ bias: dog (?<dog>-?[0-9.]+), cat (?<cat>-?[0-9.]+)");
        var logits = Cam.Find(@"the classifier's scores: dog (?<dog>-?[0-9.]+), cat (?<cat>-?[0-9.]+)");
        Assert.Equal(Double(logits, "dog"), Double(fromMaps, "dog"), 3);
        Assert.Equal(Double(logits, "cat"), Double(fromMaps, "cat"), 3);
        Assert.True(Double(logits, "cat") > Double(logits, "dog"));
    }

    [Fact]
    public void The_raw_map_is_shown_as_a_7x7_table_of_numbers()
    {
        var table = Cam.Cells.SelectMany(c => c.Outputs).Single(o => o.Mime == "text/html" && o.Data.Contains("<caption>CAM for cat, 7 x 7"));
        Assert.Equal(7, Regex.Matches(table.Data, "<tr>").Count);
        Assert.Equal(49, Regex.Matches(table.Data, @"<td[^>]*>-?\d+\.\d\d</td>").Count);
    }

    [Fact]
    public void The_printed_largest_value_is_the_largest_cell_of_the_table_right_of_centre_at_mid_height()
    {
        var table = Cam.Cells.SelectMany(c => c.Outputs).Single(o => o.Mime == "text/html" && o.Data.Contains("<caption>CAM for cat, 7 x 7"));
        var values = Regex.Matches(table.Data, @"<td[^>]*>(?<v>-?\d+\.\d\d)</td>").Select(m => double.Parse(m.Groups["v"].Value, CultureInfo.InvariantCulture)).ToList();
        var largest = Cam.Find(@"Largest value (?<value>-?[0-9.]+) in row (?<row>\d), column (?<column>\d)");
        int index = 7 * int.Parse(largest.Groups["row"].Value, CultureInfo.InvariantCulture) + int.Parse(largest.Groups["column"].Value, CultureInfo.InvariantCulture);
        Assert.Equal(values.Max(), values[index]);
        Assert.Equal(values.Max(), Double(largest, "value"), 2);
        // For the Bengal cat the peak is at mid-height, right of centre (where the next pictures show the cat's head).
        Assert.InRange(index / 7, 2, 4);
        Assert.InRange(index % 7, 4, 6);
        Assert.Equal(values.Count(v => v < 0), Cam.Number(@"(?<value>\d+) of the 49 values are negative"));
    }

    [Fact]
    public void Another_photo_in_the_try_it_cell_is_explained_by_every_cell_below_it()
    {
        var beagle = TryItCell.Variant("02_class_activation_maps.dib"); // beagle_10.jpg
        Assert.True(beagle.Outcome.ExitCode == 0, beagle.Outcome.ToString());
        beagle.Find(@"^beagle_10\.jpg is a dog\. Class order: \[0\] dog, \[1\] cat");
        Assert.True(beagle.Number($@"^Prediction: dog, p\(cat\) = {Number}") < 0.5);
        beagle.Find(@"CAM peak at \(x, y\) = \(\d+, \d+\)");
        var captions = beagle.Cells.SelectMany(c => c.Outputs).Where(o => o.Mime == "text/html").Select(o => o.Data).ToList();
        Assert.Contains(captions, html => html.StartsWith("<figure") && html.Contains("CAM for cat on beagle_10.jpg"));
        Assert.DoesNotContain(captions, html => html.Contains("on Bengal_109.jpg"));
        // The hand-made map is still the library's, for the new photo.
        Assert.True(beagle.Number($@"Max \|notebook CAM - library CAM\| = {Number}: agree: True") < 1e-4);
        var defaultScores = Cam.Find(@"the classifier's scores: dog (?<dog>-?[0-9.]+), cat (?<cat>-?[0-9.]+)");
        var beagleScores = beagle.Find(@"the classifier's scores: dog (?<dog>-?[0-9.]+), cat (?<cat>-?[0-9.]+)");
        Assert.True(Double(beagleScores, "dog") > Double(beagleScores, "cat"));
        Assert.NotEqual(defaultScores.Value, beagleScores.Value);
    }

    [Fact]
    public void The_cam_peak_lies_inside_the_cats_body_outline()
    {
        var peak = Cam.Find(@"CAM peak at \(x, y\) = \((?<x>\d+), (?<y>\d+)\): inside the body outline: (?<inside>True|False)");
        Assert.InRange(Double(peak, "x"), 0, 223);
        Assert.InRange(Double(peak, "y"), 0, 223);
        Assert.Equal("True", peak.Groups["inside"].Value);
    }

    [Fact]
    public void The_dog_map_mirrors_the_cat_map()
    {
        Assert.True(Cam.Number($@"correlation {Number}") < -0.8, "the prose says the dog map is close to the cat map upside down");
    }

    [Fact]
    public void The_notebooks_einsum_equals_the_librarys_cam()
    {
        Cam.Find(@"CAM on body: 1 map\(s\) of 7x7, classes \[1\]");
        Assert.True(Cam.Number($@"Max \|notebook CAM - library CAM\| = {Number}: agree: True") < 1e-4);
    }

    [Fact]
    public void The_beagle_is_called_a_dog()
    {
        Assert.True(Cam.Number($@"beagle_10\.jpg: predicted dog, p = {Number}") > 0.5);
    }

    [Fact]
    public void The_hardest_validation_photos_are_listed_and_the_mistakes_are_marked()
    {
        var summary = Cam.Find(@"Validation photos: 74, wrong: (?<now>\d+) \(the training report said (?<then>\d+)\)");
        Assert.Equal(summary.Groups["then"].Value, summary.Groups["now"].Value);
        var listed = Regex.Matches(Cam.AllText(), @"^  (?<file>\S+\.jpg) +(?<label>dog|cat)  p\(cat\) = (?<p>[0-9.]+)", RegexOptions.Multiline);
        Assert.Equal(6, listed.Count);
        // Ranked by the probability of the true class, lowest first.
        var trueClass = listed.Select(m => m.Groups["label"].Value == "cat" ? Double(m, "p") : 1 - Double(m, "p")).ToList();
        Assert.Equal(trueClass.Order(), trueClass);
        // Every photo the model gets wrong is marked WRONG, and only those.
        var wrong = Regex.Matches(Cam.AllText(), @"^  \S+\.jpg +(dog|cat)  p\(cat\) = [0-9.]+  WRONG$", RegexOptions.Multiline).Count;
        Assert.Equal(trueClass.Count(p => p < 0.5), wrong);
        Assert.True(wrong >= 1, "the prose discusses a photo marked WRONG; with the default seed there is one (the keeshond)");
    }

    [Fact]
    public void The_overlays_are_224_pixel_pictures_and_the_grids_hold_them()
    {
        static List<byte[]> Pngs(string html) => Regex.Matches(html, "base64,(?<png>[A-Za-z0-9+/=]+)")
            .Select(m => Convert.FromBase64String(m.Groups["png"].Value)).ToList();
        var html = Cam.Cells.SelectMany(c => c.Outputs).Where(o => o.Mime == "text/html").Select(o => o.Data).ToList();
        var overlays = html.Where(h => h.StartsWith("<figure")).ToList();
        Assert.Equal(2, overlays.Count); // the hero's cat map and the beagle's dog map
        Assert.Contains("magma, alpha 0.6", overlays[0]);
        Assert.All(overlays, o => Assert.Equal((224, 224), HooksNotebookTests.PngSize(Pngs(o)[0])));
        // Grids: one 224-pixel picture per cell, captions as text: outline + map, dog + cat maps, hardest photos.
        var grids = html.Where(h => h.StartsWith("<div class=\"camnb-figures\"")).ToList();
        Assert.Equal([2, 3, 6], grids.Select(g => Pngs(g).Count));
        Assert.All(grids.SelectMany(Pngs), png => Assert.Equal((224, 224), HooksNotebookTests.PngSize(png)));
        Assert.Contains("max-width:696px", grids[2]); // the hardest photos in rows of 3 cells of 224 + 2 * 4
        Assert.Equal(6, Regex.Matches(grids[2], @"<figcaption[^>]*>\S+: [0-9.]+(, WRONG)?</figcaption>").Count);
    }

    [Fact]
    public void The_interactive_charts_show_the_map_over_the_photo_offline()
    {
        var charts = Cam.Cells.SelectMany(c => c.Outputs).Where(o => o.Mime == "text/html" && o.Data.Contains("<div id=\"camnb-plot-")).ToList();
        Assert.Equal(2, charts.Count); // Plotly.NET, then XPlot
        Assert.All(charts, c => Assert.Contains("heatmap", c.Data));
        Assert.All(charts, c => Assert.Contains("data:image/png;base64,", c.Data));
        Assert.All(charts, c => Assert.DoesNotContain("cdn.plot.ly", c.Data));
    }
}
