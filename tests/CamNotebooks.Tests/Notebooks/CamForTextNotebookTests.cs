using System.Globalization;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>The facts 06_cam_for_text.dib's prose claims, checked against its executed outputs.</summary>
[Collection(NotebookCollection.Name)]
public class CamForTextNotebookTests
{
    private const string Chapter = "06_cam_for_text.dib";

    private static ExecutedNotebook Notebook => ExecutedNotebook.Get(Chapter);

    private static double Parse(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [Fact]
    public void It_trains_on_the_stated_split_and_shapes_mails_as_1_x_128_grids()
    {
        Notebook.Find(@"^mails: 1980 train, 660 validation, 660 held out; spam share 0\.36\d");
        Notebook.Find(@"^held-out batch: \[660, 1, 1, 128\]");
        Notebook.Find(@"^win \| \$ \| 1000 \| now \| ! \| ! \| ! \| call \| \[phone\] \| or \| visit \| \[url\] \| it's \| free$");
        Assert.True(Notebook.Number(@"largest difference Conv2d\(1 x 3\) vs conv1d: (?<value>[0-9.e+-]+)") < 1e-5);
    }

    [Fact]
    public void Training_takes_three_passes_in_well_under_a_minute()
    {
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(Notebook.AllText(), @"^epoch \d: validation accuracy", System.Text.RegularExpressions.RegexOptions.Multiline).Count);
        Assert.True(Notebook.Number(@"^training time: (?<value>[0-9.]+) s") < 40);
    }

    [Fact]
    public void Both_classifiers_pass_0_9_on_the_held_out_mails_and_the_bag_of_words_is_at_least_as_accurate()
    {
        var line = Notebook.Find(@"held-out accuracy: convolutional model (?<model>[0-9.]+), bag-of-words baseline (?<baseline>[0-9.]+) \(660 mails\)");
        double model = Parse(line.Groups["model"].Value), baseline = Parse(line.Groups["baseline"].Value);
        Assert.True(model > 0.9 && baseline > 0.9 && baseline >= model, $"model {model}, baseline {baseline}");
    }

    [Fact]
    public void The_map_by_einsum_splits_the_score_exactly_and_equals_the_librarys()
    {
        var fromMap = Notebook.Find(@"mean of each map \+ bias: ham (?<ham>-?[0-9.]+), spam (?<spam>-?[0-9.]+)");
        var scores = Notebook.Find(@"the model's scores: +ham (?<ham>-?[0-9.]+), spam (?<spam>-?[0-9.]+)");
        Assert.Equal(scores.Groups["ham"].Value, fromMap.Groups["ham"].Value);
        Assert.Equal(scores.Groups["spam"].Value, fromMap.Groups["spam"].Value);
        Assert.True(Parse(scores.Groups["spam"].Value) > Parse(scores.Groups["ham"].Value), "the mail shown is a spam the model calls spam");
        Assert.True(Notebook.Number(@"the 1-D form differs by (?<value>[0-9.e+-]+)") < 1e-5);
        Assert.True(Notebook.Number(@"largest difference from the hand-made spam map: (?<value>[0-9.e+-]+)") < 1e-5);
        Assert.True(Notebook.Number(@"Grad-CAM\(block3\) x 128 vs relu\(CAM\): largest difference (?<value>[0-9.e+-]+)") < 1e-4);
    }

    [Fact]
    public void The_decisive_words_are_the_ones_the_prose_names()
    {
        var spam = Notebook.Find(@"^top words for spam: (?<words>.*)$").Groups["words"].Value;
        var ham = Notebook.Find(@"^top words for ham: (?<words>.*)$").Groups["words"].Value;
        foreach (var word in new[] { "click (", "reply (", "address (", "! (" }) Assert.Contains(word, spam);
        Assert.StartsWith("razor (", ham);
        Assert.Contains("discuss (", ham);
    }

    [Fact]
    public void Deleting_the_top_CAM_words_costs_several_times_more_than_random_or_frequent_words()
    {
        foreach (var k in new[] { 1, 3, 5, 10 })
        {
            var row = Notebook.Find($@"^k = +{k}: top-k CAM (?<cam>[0-9.]+), k random (?<random>[0-9.]+), k most frequent (?<frequent>[0-9.]+); predictions flipped by CAM deletion (?<flipped>[0-9.]+) %");
            double cam = Parse(row.Groups["cam"].Value), random = Parse(row.Groups["random"].Value), frequent = Parse(row.Groups["frequent"].Value);
            Assert.True(cam > 3 * random && cam > 3 * frequent, $"k = {k}: CAM {cam}, random {random}, frequent {frequent}");
        }
        Assert.InRange(Notebook.Number(@"^k = 10: .*flipped by CAM deletion (?<value>[0-9.]+) %"), 0.1, 49.9);
    }

    [Fact]
    public void Grad_CAM_on_block2_is_close_to_CAM_and_further_on_block1()
    {
        double block2 = Notebook.Number(@"vs Grad-CAM\(block2\) over 660 mails: mean Spearman (?<value>-?[0-9.]+)");
        double block1 = Notebook.Number(@"vs Grad-CAM\(block1\) over 660 mails: mean Spearman (?<value>-?[0-9.]+)");
        Assert.True(block2 >= 0.9 && block1 < block2, $"block2 {block2}, block1 {block1}");
    }

    [Fact]
    public void Random_weights_change_the_map()
    {
        var line = Notebook.Find(@"after a random head (?<head>-?[0-9.]+), after a random head and block3 (?<block3>-?[0-9.]+)");
        Assert.True(Math.Abs(Parse(line.Groups["head"].Value)) < 0.5 && Math.Abs(Parse(line.Groups["block3"].Value)) < 0.5, line.Value);
    }

    [Fact]
    public void Words_are_shown_coloured_and_the_deletion_is_drawn_as_a_chart()
    {
        var html = Notebook.Cells.SelectMany(c => c.Outputs).Where(o => o.Mime == "text/html").Select(o => o.Data).ToList();
        Assert.True(html.Count(h => h.Contains("colour scale:") && h.Contains("<span title=")) >= 4, "spam CAM, ham CAM, Grad-CAM, the learner's sentence");
        Assert.Contains(html, h => h.Contains("Plotly.newPlot('camnb-plot-") && h.Contains("Deleting k words"));
    }

    [Fact]
    public void The_learners_sentence_gets_its_own_map()
    {
        Notebook.Find(@"^unknown to the model: none$");
        var variant = TryItCell.Variant(Chapter); // the sentence "Re: razor servers, ... Zorblax?"
        Assert.True(variant.Outcome.ExitCode == 0, variant.Outcome.ToString());
        variant.Find(@"^unknown to the model: zorblax$");
        var html = variant.Cells.SelectMany(c => c.Outputs).Where(o => o.Mime == "text/html").Select(o => o.Data).ToList();
        Assert.Contains(html, h => h.Contains(">razor</span>") && h.Contains("CAM for spam; p(spam) = 0."));
    }
}
