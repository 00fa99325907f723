using CamNotebooks.Imaging;
using CamNotebooks.Learning;
using TorchSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Tests;

public class LearningTests
{
    /// <summary>
    /// 512-dimensional features of two classes: Gaussian noise, with the first 32 features shifted by +2 for class 1 and
    /// -2 for class 0. Linearly separable with a wide margin relative to the noise in those directions.
    /// </summary>
    private static (Tensor X, Tensor Y) Separable(int count, ulong seed)
    {
        var generator = new Generator(seed);
        var y = (rand([count], generator: generator) > 0.5).to(ScalarType.Int64);
        var x = randn([count, 512], generator: generator);
        var shift = zeros(512);
        shift[..32] = tensor(2f);
        x += (y.to(ScalarType.Float32) * 2 - 1).unsqueeze(1) * shift.unsqueeze(0);
        return (x, y);
    }

    private static IReadOnlyList<EpochReport> TrainOnce(LinearHead head, HeadTrainingOptions options, List<EpochReport>? seen = null)
    {
        var (tx, ty) = Separable(400, 1);
        var (vx, vy) = Separable(200, 2);
        return HeadTrainer.Train(head, tx, ty, vx, vy, options, r => seen?.Add(r));
    }

    [Fact]
    public void A_new_head_is_seeded_and_bounded_like_nn_Linear()
    {
        using var a = new LinearHead(seed: 3);
        using var b = new LinearHead(seed: 3);
        using var c = new LinearHead(seed: 4);
        Assert.Equal(new long[] { 2, 512 }, a.Weight.shape);
        Assert.Equal(new long[] { 2 }, a.Bias.shape);
        Assert.True(a.Weight.eq(b.Weight).all().item<bool>());
        Assert.False(a.Weight.eq(c.Weight).all().item<bool>());
        double bound = 1 / Math.Sqrt(512);
        Assert.True(a.Weight.abs().max().item<float>() <= bound);
        Assert.True(a.Weight.abs().max().item<float>() > bound * 0.9, "uses the whole range");
    }

    [Fact]
    public void The_head_computes_weight_times_features_plus_bias()
    {
        using var head = new LinearHead(inFeatures: 3, classes: 2);
        using (no_grad())
        {
            head.Weight.copy_(tensor(new float[] { 1, 2, 3, -1, 0, 1 }, 2, 3));
            head.Bias.copy_(tensor(new float[] { 0.5f, -0.5f }));
        }
        using var scores = head.call(tensor(new float[] { 1, 1, 1, 2, 0, -1 }, 2, 3));
        // Row 1: (1+2+3+0.5, -1+0+1-0.5) = (6.5, -0.5); row 2: (2-3+0.5, -2-1-0.5) = (-0.5, -3.5).
        Assert.Equal(new float[] { 6.5f, -0.5f, -0.5f, -3.5f }, scores.data<float>().ToArray());
        using var p = head.Probabilities(tensor(new float[] { 0, 0, 0 }, 1, 3));
        Assert.Equal(1 / (1 + Math.Exp(-1)), p[0, 0].item<float>(), 1e-6); // softmax(0.5, -0.5)
        Assert.Throws<ArgumentException>(() => head.call(zeros(2, 4)));
    }

    [Theory]
    [InlineData(HeadOptimizer.Adam, null)]
    [InlineData(HeadOptimizer.Adam, 32)]
    [InlineData(HeadOptimizer.Sgd, 32)]
    public void Separable_features_are_learned_perfectly_and_the_loss_falls(HeadOptimizer optimizer, int? batchSize)
    {
        using var head = new LinearHead(seed: 0);
        var seen = new List<EpochReport>();
        // Full batch takes one step per epoch, so it gets more epochs.
        int epochs = batchSize is null ? 20 : 6;
        var options = new HeadTrainingOptions
        {
            Epochs = epochs, BatchSize = batchSize, Optimizer = optimizer, LearningRate = 1e-2,
        };
        var history = TrainOnce(head, options, seen);
        Assert.Equal(epochs, history.Count);
        Assert.Equal(history, seen);
        Assert.Equal(Enumerable.Range(1, epochs), history.Select(h => h.Epoch));
        Assert.Equal(1.0, history[^1].ValidAccuracy);
        Assert.Equal(0.0, history[^1].ErrorRate);
        Assert.True(history[^1].TrainLoss < history[0].TrainLoss, $"{history[0].TrainLoss} -> {history[^1].TrainLoss}");
        Assert.True(history[^1].ValidLoss < history[0].ValidLoss);
    }

    [Fact]
    public void The_same_seeds_give_identical_weights()
    {
        var options = new HeadTrainingOptions { Epochs = 3, BatchSize = 50, Seed = 9 };
        using var first = new LinearHead(seed: 1);
        using var second = new LinearHead(seed: 1);
        using var reshuffled = new LinearHead(seed: 1);
        TrainOnce(first, options);
        TrainOnce(second, options);
        TrainOnce(reshuffled, options with { Seed = 10 });
        Assert.Equal(first.Weight.data<float>().ToArray(), second.Weight.data<float>().ToArray());
        Assert.Equal(first.Bias.data<float>().ToArray(), second.Bias.data<float>().ToArray());
        Assert.NotEqual(first.Weight.data<float>().ToArray(), reshuffled.Weight.data<float>().ToArray());
    }

    [Fact]
    public void A_saved_head_loads_back_identical()
    {
        var dir = Directory.CreateTempSubdirectory("head-test").FullName;
        try
        {
            using var head = new LinearHead(seed: 5);
            TrainOnce(head, new HeadTrainingOptions { Epochs = 2 });
            var path = Path.Combine(dir, "head.bin");
            head.Save(path);
            Assert.Single(Directory.GetFiles(dir));
            using var loaded = LinearHead.Load(path);
            Assert.Equal(head.Weight.data<float>().ToArray(), loaded.Weight.data<float>().ToArray());
            Assert.Equal(head.Bias.data<float>().ToArray(), loaded.Bias.data<float>().ToArray());

            Assert.Throws<InvalidDataException>(() => LinearHead.Load(path, inFeatures: 256));
            File.WriteAllText(Path.Combine(dir, "junk.bin"), "not a model");
            Assert.Throws<InvalidDataException>(() => LinearHead.Load(Path.Combine(dir, "junk.bin")));
            Assert.Throws<FileNotFoundException>(() => LinearHead.Load(Path.Combine(dir, "none.bin")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Bad_training_input_is_refused()
    {
        using var head = new LinearHead();
        var x = zeros(4, 512);
        Assert.Throws<ArgumentException>(() => HeadTrainer.Train(head, x, tensor(new long[] { 0, 1, 2, 0 }), x, tensor(new long[] { 0, 1, 0, 1 })));
        Assert.Throws<ArgumentException>(() => HeadTrainer.Train(head, zeros(4, 500), tensor(new long[] { 0, 1, 1, 0 }), x, tensor(new long[] { 0, 1, 0, 1 })));
        Assert.Throws<ArgumentException>(() => HeadTrainer.Train(head, x, tensor(new long[] { 0, 1 }), x, tensor(new long[] { 0, 1, 0, 1 })));
        Assert.Throws<ArgumentException>(() => HeadTrainer.Train(head, x, zeros(4), x, tensor(new long[] { 0, 1, 0, 1 })));
        Assert.Throws<ArgumentException>(() => HeadTrainer.Train(head, x, tensor(new long[] { 0, 1, 1, 0 }), x, tensor(new long[] { 0, 1, 0, 1 }),
            new HeadTrainingOptions { Epochs = 0 }));
    }

    [Fact]
    public void Progress_lines_form_a_table()
    {
        var report = new EpochReport(1, 4, 0.45214, 0.23101, 0.93243, TimeSpan.FromMilliseconds(12));
        Assert.Equal("    1      0.4521      0.2310    0.9324      0.0676  0.01s", TrainingProgress.Format(report));
        var writer = new StringWriter();
        var callback = TrainingProgress.ToConsole(writer);
        callback(report);
        callback(report with { Epoch = 2 });
        var lines = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([TrainingProgress.Header, TrainingProgress.Format(report), TrainingProgress.Format(report with { Epoch = 2 })], lines);
    }

    [Fact]
    public void Feature_extraction_batches_in_order_and_checks_shapes()
    {
        // Image i is filled with the value i; the featurizer returns each image's per-channel mean.
        var calls = new List<(int, int)>();
        using var features = FeatureExtraction.Extract(5, i => full(3, 4, 4, (float)i), batch => batch.mean([2, 3]),
            batchSize: 2, progress: (done, total) => calls.Add((done, total)));
        Assert.Equal(new long[] { 5, 3 }, features.shape);
        Assert.Equal(new float[] { 0, 1, 2, 3, 4 }, features[.., 1].data<float>().ToArray());
        Assert.Equal([(2, 5), (4, 5), (5, 5)], calls);

        Assert.Throws<ArgumentException>(() => FeatureExtraction.Extract(2, i => zeros(3, 4, 4), batch => batch));
        Assert.Throws<ArgumentException>(() => FeatureExtraction.Extract(2, i => zeros(3, 4 + i, 4), batch => batch.mean([2, 3])));
        Assert.Throws<ArgumentException>(() => FeatureExtraction.Extract(["a.jpg"], batch => batch, ImageResize.None));
    }

    [Fact]
    public void Real_photos_go_through_the_featurizer_at_the_requested_size()
    {
        var pets = Data.PetsDataset.Load();
        var photos = new[] { pets["Bengal_109.jpg"], pets["beagle_10.jpg"], pets["Abyssinian_13.jpg"] };
        long[]? seenShape = null;
        using var features = FeatureExtraction.Extract(photos, batch => { seenShape = batch.shape; return batch.mean([2, 3]); },
            ImageResize.CenterCrop(64), batchSize: 4);
        Assert.Equal(new long[] { 3, 3, 64, 64 }, seenShape);
        using var hero = photos[0].Load(ImageResize.CenterCrop(64));
        Assert.Equal(hero.mean([1, 2]).data<float>().ToArray(), features[0].data<float>().ToArray());
        using var labels = FeatureExtraction.Labels(photos);
        Assert.Equal(new long[] { 1, 0, 1 }, labels.data<long>().ToArray());
    }
}
