using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Learning;

/// <summary>
/// Trains a <see cref="LinearHead"/> on features the frozen body computed once (see <see cref="FeatureExtraction"/>):
/// since the body does not change, running it again every epoch would only waste time. This is the chapter's
/// "fine-tune the head" stage without data augmentation.
/// </summary>
public static class HeadTrainer
{
    /// <summary>Trains <paramref name="head"/> in place and returns one report per epoch.</summary>
    /// <param name="head">The head to train.</param>
    /// <param name="trainFeatures">Training features [N, head.InFeatures].</param>
    /// <param name="trainLabels">Training labels [N], integers in 0..classes-1.</param>
    /// <param name="validFeatures">Validation features [M, head.InFeatures].</param>
    /// <param name="validLabels">Validation labels [M].</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <param name="progress">Called after every epoch (e.g. <see cref="TrainingProgress.ToConsole"/>).</param>
    /// <exception cref="ArgumentException">Shapes or labels do not fit the head, or options are out of range.</exception>
    public static IReadOnlyList<EpochReport> Train(LinearHead head, Tensor trainFeatures, Tensor trainLabels,
        Tensor validFeatures, Tensor validLabels, HeadTrainingOptions? options = null, Action<EpochReport>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(head);
        options ??= new HeadTrainingOptions();
        if (options.Epochs < 1) throw new ArgumentException($"Epochs must be at least 1, got {options.Epochs}.", nameof(options));
        if (!(options.LearningRate > 0)) throw new ArgumentException($"LearningRate must be positive, got {options.LearningRate}.", nameof(options));
        if (options.BatchSize is < 1) throw new ArgumentException($"BatchSize must be at least 1 (or null), got {options.BatchSize}.", nameof(options));
        Check(head, trainFeatures, trainLabels, "training");
        Check(head, validFeatures, validLabels, "validation");

        using var trainX = trainFeatures.detach().to(ScalarType.Float32);
        using var trainY = trainLabels.to(ScalarType.Int64);
        using var validX = validFeatures.detach().to(ScalarType.Float32);
        using var validY = validLabels.to(ScalarType.Int64);
        long count = trainX.shape[0];
        long batchSize = options.BatchSize ?? count;
        var generator = new Generator(options.Seed);
        using var optimizer = options.Optimizer == HeadOptimizer.Adam
            ? (optim.Optimizer)optim.Adam(head.parameters(), options.LearningRate, weight_decay: options.WeightDecay)
            : optim.SGD(head.parameters(), options.LearningRate, momentum: options.Momentum, weight_decay: options.WeightDecay);

        var history = new List<EpochReport>(options.Epochs);
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            head.train();
            double lossSum = 0;
            using (var order = randperm(count, generator: generator))
            {
                for (long start = 0; start < count; start += batchSize)
                {
                    using var scope = NewDisposeScope();
                    var index = order[TensorIndex.Slice(start, Math.Min(start + batchSize, count))];
                    var x = trainX.index_select(0, index);
                    var y = trainY.index_select(0, index);
                    optimizer.zero_grad();
                    var loss = nn.functional.cross_entropy(head.call(x), y);
                    loss.backward();
                    optimizer.step();
                    lossSum += loss.item<float>() * index.shape[0];
                }
            }
            var (validLoss, accuracy) = Evaluate(head, validX, validY);
            var report = new EpochReport(epoch, options.Epochs, lossSum / count, validLoss, accuracy, clock.Elapsed);
            history.Add(report);
            progress?.Invoke(report);
        }
        return history;
    }

    /// <summary>Cross-entropy and accuracy of <paramref name="head"/> on features and labels, without gradients.</summary>
    /// <exception cref="ArgumentException">Shapes or labels do not fit the head.</exception>
    public static (double Loss, double Accuracy) Evaluate(LinearHead head, Tensor features, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(head);
        Check(head, features, labels, "evaluation");
        head.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var y = labels.to(ScalarType.Int64);
        var logits = head.call(features.to(ScalarType.Float32));
        double loss = nn.functional.cross_entropy(logits, y).item<float>();
        double accuracy = logits.argmax(1).eq(y).to(ScalarType.Float64).mean().item<double>();
        return (loss, accuracy);
    }

    private static void Check(LinearHead head, Tensor features, Tensor labels, string what)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (features.dim() != 2 || features.shape[1] != head.InFeatures || features.shape[0] == 0)
            throw new ArgumentException($"The {what} features must be [N, {head.InFeatures}] with N > 0, got [{string.Join(", ", features.shape)}].");
        if (labels.dim() != 1 || labels.shape[0] != features.shape[0])
            throw new ArgumentException($"The {what} labels must be [{features.shape[0]}] (one per feature row), got [{string.Join(", ", labels.shape)}].");
        if (labels.is_floating_point())
            throw new ArgumentException($"The {what} labels must be integers (class indices), got {labels.dtype}.");
        long min = labels.min().item<long>(), max = labels.max().item<long>();
        if (min < 0 || max >= head.Classes)
            throw new ArgumentException($"The {what} labels must lie in 0..{head.Classes - 1}; found {min}..{max}.");
    }
}

/// <summary>What one epoch of training gave.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Epochs">Total number of epochs.</param>
/// <param name="TrainLoss">Mean cross-entropy over the epoch's training steps (weighted by batch size), measured while training.</param>
/// <param name="ValidLoss">Cross-entropy on the validation features after the epoch.</param>
/// <param name="ValidAccuracy">Share of validation examples whose highest score is their label.</param>
/// <param name="Elapsed">Time the epoch took.</param>
public sealed record EpochReport(int Epoch, int Epochs, double TrainLoss, double ValidLoss, double ValidAccuracy, TimeSpan Elapsed)
{
    /// <summary>1 − accuracy, the chapter's <c>error_rate</c> metric.</summary>
    public double ErrorRate => 1 - ValidAccuracy;
}
