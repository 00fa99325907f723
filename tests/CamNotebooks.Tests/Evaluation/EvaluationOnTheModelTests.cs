using CamNotebooks.Data;
using CamNotebooks.Evaluation;
using CamNotebooks.Learning;
using CamNotebooks.Maps;
using CamNotebooks.Model;
using static TorchSharp.torch;

namespace CamNotebooks.Tests.Evaluation;

/// <summary>The real body with an untrained (seeded) head: enough to check the plumbing, no training needed.</summary>
public sealed class UntrainedClassifierFixture : IDisposable
{
    public UntrainedClassifierFixture()
    {
        Pretrained = PretrainedResNet.Load();
        Model = new PetClassifier(Pretrained, new LinearHead(seed: 0));
        var validation = PetsDataset.Load().Split().Validation;
        Set = EvaluationSet.Load(Model, [validation[0], validation[^1]]); // a cat and a dog (names sort capitals first)
    }

    public PretrainedResNet Pretrained { get; }
    public PetClassifier Model { get; }
    public EvaluationSet Set { get; }

    public void Dispose()
    {
        Set.Dispose();
        Model.Dispose();
        Pretrained.Dispose();
    }
}

public class EvaluationOnTheModelTests(UntrainedClassifierFixture fixture) : IClassFixture<UntrainedClassifierFixture>
{
    [Fact]
    public void The_evaluation_set_lines_masks_up_with_the_network_input()
    {
        var set = fixture.Set;
        Assert.Equal([2L, 3, 224, 224], set.Inputs.shape);
        Assert.Equal([1, 0], set.Labels);
        Assert.Equal((224, 224), (set.Outlines[0].GetLength(0), set.Outlines[0].GetLength(1)));
        var image = set.Images[0];
        var expected = image.Outline.ToMask(224, 224, CamNotebooks.Imaging.ImageResizeMode.CenterCrop);
        Assert.Equal(expected, set.Outlines[0]);
    }

    [Fact]
    public void Methods_that_share_one_probe_give_the_maps_each_gives_alone_at_every_layer_in_the_order_asked()
    {
        var set = fixture.Set;
        var pairs = ClassifierMaps.Pairs(["body.layer4", "body.layer3"]);
        Assert.Contains(pairs, p => !p.Method.NeedsGradients); // CAM takes its own path, the gradient methods share
        Assert.True(pairs.Count(p => p.Method.NeedsGradients) >= 4);
        foreach (bool upsampled in new[] { false, true })
        {
            var together = ClassifierMaps.ComputeEach(pairs, fixture.Model, set.Inputs, set.Labels, upsampled, chunk: 1);
            Assert.Equal(pairs.Count, together.Length);
            for (int p = 0; p < pairs.Count; p++)
            {
                var (method, layer) = pairs[p];
                var alone = upsampled
                    ? method.ComputeUpsampled(fixture.Model, layer, set.Inputs, set.Labels)
                    : method.ComputeArrays(fixture.Model, layer, set.Inputs, set.Labels);
                Assert.Equal(alone.Length, together[p].Length);
                for (int i = 0; i < alone.Length; i++)
                    Assert.True(alone[i].Cast<float>().SequenceEqual(together[p][i].Cast<float>()),
                        $"{method.Name} on {layer}, photo {i}, upsampled {upsampled}: the shared probe gave another map");
            }
        }
    }

    [Fact]
    public void Scoring_the_outlines_themselves_gives_one_and_uniform_maps_give_the_area()
    {
        var set = fixture.Set;
        var outlineMaps = set.Outlines.Select(m => ToMap(m, cell => cell ? 1f : 0f)).ToArray();
        var perfect = LocalizationBenchmark.Score("outline", "-", outlineMaps, set);
        Assert.Equal(1.0, perfect.PointingBody);
        Assert.Equal(1.0, perfect.EnergyBody);
        var uniform = LocalizationBenchmark.Score("uniform", "-", set.Outlines.Select(m => ToMap(m, _ => 1f)).ToArray(), set);
        var bodyArea = set.Outlines.Average(LocalizationMetrics.AreaShare);
        var headArea = set.HeadBoxes.Average(LocalizationMetrics.AreaShare);
        Assert.Equal(bodyArea, uniform.PointingBody, 12);
        Assert.Equal(bodyArea, uniform.EnergyBody, 12);
        Assert.Equal(headArea, uniform.PointingHead, 12);
        Assert.Equal(headArea, uniform.EnergyHead, 12);
    }

    [Fact]
    public void Maps_come_at_the_layer_resolution_or_upsampled_and_CAM_refuses_inner_layers()
    {
        var set = fixture.Set;
        Assert.Equal((14, 14), Size(GradCam.Method.ComputeArrays(fixture.Model, "body.layer3", set.Inputs, set.Labels)[1]));
        Assert.Equal((224, 224), Size(ClassActivationMap.Method.ComputeUpsampled(fixture.Model, "body.layer4", set.Inputs, set.Labels)[0]));
        Assert.Throws<ArgumentException>(() => ClassActivationMap.Method.ComputeArrays(fixture.Model, "body.layer3", set.Inputs, set.Labels));
        Assert.Equal(10, ClassifierMaps.Pairs().Count); // CAM once, three gradient methods on three layers
    }

    [Fact]
    public void CAM_itself_refuses_an_inner_block_with_as_many_channels_as_the_last_stage()
    {
        // body.layer4.0 has layer4's 512 channels, so only the check that the head reads this layer's average catches it.
        var set = fixture.Set;
        var error = Assert.Throws<ArgumentException>(() =>
            ClassActivationMap.Compute(fixture.Model, "body.layer4.0", fixture.Model.HeadLinear, set.Inputs[0..1]));
        Assert.Contains("Layer 'body.layer4.0' is not the layer whose averaged output the head reads", error.Message);
        Assert.Contains("Grad-CAM", error.Message);
        using var lastStage = ClassActivationMap.Compute(fixture.Model, fixture.Model.Body.Layer4, fixture.Model.HeadLinear, set.Inputs[0..1]);
        Assert.Equal("body.layer4", lastStage.LayerName);
    }

    [Fact]
    public void The_sanity_check_copy_is_exact_and_randomising_it_leaves_the_original_alone()
    {
        var set = fixture.Set;
        using var before = fixture.Model.Probabilities(set.Inputs);
        var originalCam = ClassActivationMap.Method.ComputeArrays(fixture.Model, "body.layer4", set.Inputs, set.Labels);
        using var copy = SanityCheck.Copy(fixture.Model);
        using (var copied = copy.Probabilities(set.Inputs))
            Assert.True(copied.eq(before).all().item<bool>());
        var copiedCam = ClassActivationMap.Method.ComputeArrays(copy, "body.layer4", set.Inputs, set.Labels);
        Assert.Equal(1.0, RankCorrelation.Spearman(originalCam[0], copiedCam[0]), 9);

        WeightRandomization.Reinitialize(copy.Head, seed: 0);
        var randomCam = ClassActivationMap.Method.ComputeArrays(copy, "body.layer4", set.Inputs, set.Labels);
        Assert.True(RankCorrelation.Spearman(originalCam[0], randomCam[0]) < 0.99);
        using var after = fixture.Model.Probabilities(set.Inputs);
        Assert.True(after.eq(before).all().item<bool>());
        copy.Pretrained.Preprocessing.Dispose();
    }

    private static (int, int) Size(float[,] map) => (map.GetLength(0), map.GetLength(1));

    private static float[,] ToMap(bool[,] mask, Func<bool, float> value)
    {
        var map = new float[mask.GetLength(0), mask.GetLength(1)];
        for (int r = 0; r < mask.GetLength(0); r++) for (int c = 0; c < mask.GetLength(1); c++) map[r, c] = value(mask[r, c]);
        return map;
    }
}

/// <summary>Chapter 07's evaluation pieces on the real body: the cascade over any map source, and the scoreboard.</summary>
public class TrustEvaluationOnTheModelTests(UntrainedClassifierFixture fixture) : IClassFixture<UntrainedClassifierFixture>
{
    [Fact]
    public void The_cascade_takes_any_map_source_reports_every_stage_and_a_map_of_the_input_alone_never_changes()
    {
        // A "map" that is the photo's own brightness ignores the weights: it must correlate 1 at every step and fail.
        var brightness = new MapSource("brightness", "input", (_, x, _) => ClassifierMaps.ToArrays(x.mean([1])));
        var gradCam = new MapSource("Grad-CAM", "body.layer4", (m, x, c) => GradCam.Method.ComputeArrays(m, "body.layer4", x, c));
        var stages = new List<int>();
        var report = SanityCheck.Run(fixture.Model, fixture.Set, [brightness, gradCam], steps: 2, stageMaps: (step, maps) =>
        {
            Assert.Equal(2, maps.Count);
            stages.Add(step);
        });
        Assert.Equal([-1, 0, 1], stages);
        Assert.Equal(["head", "body.layer4"], report.Steps);
        Assert.All(report.Rows[0].MeanSpearman, r => Assert.Equal(1.0, r, 9));
        Assert.False(report.Rows[0].Passes);
        Assert.True(report.Rows[1].MeanSpearman[^1] < 0.9, $"Grad-CAM after randomising layer4: {report.Rows[1].MeanSpearman[^1]}");
    }

    [Fact]
    public void The_scoreboard_scores_each_entry_with_the_librarys_measures_and_reads_the_verdict_by_name_and_layer()
    {
        var set = fixture.Set;
        var maps = GradCam.Method.ComputeUpsampled(fixture.Model, "body.layer4", set.Inputs, set.Labels);
        var sanity = new SanityCheckReport(["head"], [new SanityRow("Grad-CAM", "body.layer4", [0.1], true)], set.Count);
        var board = Scoreboard.Build(fixture.Model, [new Scoreboard.Entry("Grad-CAM", "body.layer4", set, maps, 12.5),
            new Scoreboard.Entry("Grad-CAM", "body.layer3", set, maps, 3)], sanity, steps: 2);
        var row = board.Rows[0];
        Assert.Equal(LocalizationBenchmark.Score("Grad-CAM", "body.layer4", maps, set).PointingHead, row.PointingHead);
        Assert.Equal(FaithfulnessBenchmark.Score(fixture.Model, "Grad-CAM", "body.layer4", maps, set, 2).DeletionAuc, row.DeletionAuc, 6);
        Assert.True(row.PassesRandomization);
        Assert.Null(board.Rows[1].PassesRandomization);
        Assert.Contains("not run", board.ToText());
        Assert.Contains("12.5", board.ToText());
    }
}
