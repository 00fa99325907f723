using System.Text.RegularExpressions;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>
/// 04_questionnaire.dib asks, 04_questionnaire_answers.dib answers: no answer is visible before the reader opens it; the
/// code answers and the keepdim experiment print what the prose says they show.
/// </summary>
[Collection(NotebookCollection.Name)]
public class QuestionnaireNotebookTests
{
    private static ExecutedNotebook Questionnaire => ExecutedNotebook.Get("04_questionnaire.dib");

    private static ExecutedNotebook Answers => ExecutedNotebook.Get("04_questionnaire_answers.dib");

    private const string Number = @"(?<value>[0-9.]+(?:E[-+]?[0-9]+)?)";

    [Fact]
    public void Every_question_asks_the_reader_to_answer_first_and_links_to_its_answer_in_the_answers_notebook()
    {
        var markdown = Questionnaire.Cells.Where(c => c.Kind == "markdown").Select(c => c.Source).ToList();
        var answerHeadings = Answers.Cells.Where(c => c.Kind == "markdown").Select(c => c.Source).ToList();
        for (int q = 1; q <= 13; q++)
        {
            var cell = markdown.SingleOrDefault(m => Regex.IsMatch(m, $@"^## Q{q}\. ", RegexOptions.Multiline));
            Assert.True(cell is not null, $"No markdown cell with the heading of question {q}.");
            Assert.Matches(@"(?i)think first|write (it|your own)|without looking", cell);
            Assert.Contains($"(04_questionnaire_answers.dib#answer-to-q{q})", cell);
            // The book turns "## Answer to Qn" into the id answer-to-qn that the link points at.
            Assert.Single(answerHeadings, m => Regex.IsMatch(m, $@"^## Answer to Q{q}\s*$", RegexOptions.Multiline));
        }
    }

    [Fact]
    public void No_answer_is_visible_in_the_questions_notebook_prose_or_code()
    {
        string questions = string.Join("\n", Questionnaire.Cells.Select(c => c.Source));
        Assert.DoesNotContain("<details", questions);
        // Every answer paragraph and every line of answer code (beyond the shared set-up) stays in the answers notebook.
        var setUp = Answers.Cells.TakeWhile(c => !c.Source.Contains("## Answer to Q1")).SelectMany(c => c.Source.Split('\n')).Select(l => l.Trim()).ToHashSet();
        var answerLines = Answers.Cells.SkipWhile(c => !c.Source.Contains("## Answer to Q1"))
            .SelectMany(c => c.Source.Split('\n')).Select(l => l.Trim())
            .Where(l => l.Length >= 30 && !setUp.Contains(l) && !l.StartsWith("**Q", StringComparison.Ordinal) && !l.StartsWith("Back to", StringComparison.Ordinal))
            .ToList();
        Assert.True(answerLines.Count > 40, $"only {answerLines.Count} answer lines found");
        Assert.All(answerLines, line => Assert.DoesNotContain(line, questions));
        // The einsum of Q6 and the hook class of Q4 in particular.
        Assert.DoesNotContain("\"ck,kij->cij\"", questions);
        Assert.DoesNotContain("register_forward_hook", questions);
    }

    [Fact]
    public void Every_code_cell_of_the_answers_notebook_runs_and_every_answer_with_code_prints_something()
    {
        Assert.True(Answers.Outcome.ExitCode == 0, Answers.Outcome.ToString());
        var sections = new List<(string Heading, List<ExecutedCell> Cells)>();
        foreach (var cell in Answers.Cells)
        {
            var heading = Regex.Match(cell.Source, @"^## Answer to (Q\d+)", RegexOptions.Multiline);
            if (heading.Success) sections.Add((heading.Groups[1].Value, []));
            else if (sections.Count > 0) sections[^1].Cells.Add(cell);
        }
        Assert.Equal(13, sections.Count);
        foreach (var (q, cells) in sections.Where(s => s.Cells.Any(c => c.Kind == "code")))
            Assert.True(cells.Any(c => c.Texts.Count > 0 || c.Outputs.Count > 0), $"{q}: its code prints nothing");
    }

    [Fact]
    public void Q2_CAM_reads_the_bodys_7x7_output()
    {
        Answers.Find(@"Body output \(what CAM uses\): \[1, 512, 7, 7\]; head weight: \[2, 512\]");
    }

    [Fact]
    public void Q3_ActivationStats_records_training_batches_only()
    {
        Answers.Find(@"ActivationStats records: 6 after 3 training batches x 2 layers, 0 added by the evaluation pass");
        Assert.Equal(3, Regex.Matches(Answers.AllText(), @"^  relu, batch \d: mean", RegexOptions.Multiline).Count);
    }

    [Fact]
    public void Q4_the_hand_written_hook_stores_relu_of_conv()
    {
        Answers.Find(@"Stored: \[1, 4, 6, 6\]; equals relu\(conv\(x\)\) computed by hand: True");
    }

    [Fact]
    public void Q5_dropout_makes_training_mode_activations_differ_and_no_grad_drops_the_graph()
    {
        Answers.Find(@"Training mode: same activations twice\? False");
        Answers.Find(@"Evaluation mode: same activations twice\? True");
        Answers.Find(@"Output records a graph under no_grad\? False");
        Answers.Find(@"Output records a graph without no_grad\? True");
    }

    [Fact]
    public void Q6_the_mean_of_the_per_location_scores_plus_bias_is_the_models_output()
    {
        Answers.Find(@"Per-location scores: \[2, 6, 6\]");
        Answers.Find(@"Mean over positions \+ bias: \[.*\], model output: \[.*\], equal: True");
    }

    [Fact]
    public void Q7_index_1_is_cat_by_vocabulary_label_rule_and_prediction()
    {
        Answers.Find(@"Vocabulary: 0 = dog, 1 = cat");
        Answers.Find(@"Label of Bengal_109\.jpg by the file-name rule: 1; of american_bulldog_115\.jpg: 0");
        Answers.Find(@"The model on the Bengal cat: index 1 wins");
    }

    [Fact]
    public void Q8_the_network_input_is_not_pixel_values_until_decoded()
    {
        var values = Answers.Find(@"Network input: min (?<nmin>-?[0-9.]+), max (?<nmax>-?[0-9.]+); decoded: min (?<dmin>-?[0-9.]+), max (?<dmax>-?[0-9.]+)");
        double Get(string g) => double.Parse(values.Groups[g].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Get("nmin") < 0, "the normalised input should have negative values");
        Assert.InRange(Get("dmin"), -0.5, 255.5);
        Assert.InRange(Get("dmax"), -0.5, 255.5);
    }

    [Fact]
    public void Q9_using_removes_the_hook_even_when_an_exception_leaves_the_block()
    {
        Answers.Find(@"Caught: something went wrong inside the block");
        Answers.Find(@"Hook calls: 1 \(");
    }

    [Fact]
    public void Q13_the_grid_and_the_word_form_of_the_sentence_einsum_agree()
    {
        var line = Answers.Find(@"grid form \[2, 1, 5\], word form \[2, 5\], largest difference (?<value>[0-9.e+-]+)");
        Assert.True(double.Parse(line.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture) < 1e-5, line.Value);
    }

    [Fact]
    public void Q12_backward_needs_a_scalar()
    {
        Answers.Find(@"backward\(\) on \[1, 2\]: grad can be implicitly created only for scalar outputs");
        Answers.Find(@"backward\(\) on output\[0, 1\]: works, gradient of the input \[1, 3, 8, 8\]");
    }

    [Fact]
    public void Keepdim_keeps_512_1_1_and_without_it_the_product_fails_loudly_on_the_resnet_and_silently_on_a_square_toy()
    {
        Questionnaire.Find(@"Activations \[512, 7, 7\], gradients \[512, 7, 7\]");
        Questionnaire.Find(@"the same numbers\? True");
        Questionnaire.Find(@"keepdim: true  -> weights \[512, 1, 1\]");
        Questionnaire.Find(@"keepdim: false -> weights \[512\]$");
        Questionnaire.Find(@"With keepdim: map \[7, 7\]");
        Questionnaire.Find(@"Without keepdim: \w+: The size of tensor a \(512\) must match the size of tensor b \(7\)");
        Assert.True(Questionnaire.Number($@"4 channels on a 4 x 4 grid, without keepdim: map \[4, 4\], no error, max abs difference from the right map = {Number}") > 0.01);
    }

    [Fact]
    public void The_sum_of_literal_0_trap_is_shown_as_it_really_behaves()
    {
        Questionnaire.Find(@"acts\.sum\(0\): shape \[\], dtype Byte");
        Questionnaire.Find(@"acts\.sum\(new long\[\] \{ 0 \}\): shape \[7, 7\], dtype Float32");
    }

    [Fact]
    public void Keepdim_free_fixes_give_the_same_map()
    {
        foreach (var fix in new[] { @"view\(-1, 1, 1\)", "unsqueeze twice", "einsum k,kij->ij" })
            Assert.True(Questionnaire.Number($@"Without keepdim, fixed with {fix}\s*: max abs difference from the keepdim map = {Number}") < 1e-5);
        Assert.Contains(Questionnaire.Cells.SelectMany(c => c.Outputs), o => o.Mime == "text/html" && o.Data.Contains("data:image/png;base64,"));
    }

    [Fact]
    public void The_notebook_points_to_the_exercises_and_the_measurements()
    {
        var markdown = string.Join("\n", Questionnaire.Cells.Where(c => c.Kind == "markdown").Select(c => c.Source));
        Assert.Contains("notebooks/exercises/", markdown);
        Assert.Contains("05_measuring_maps.dib", markdown);
        Assert.Contains("03_grad_cam.dib", markdown);
    }
}
