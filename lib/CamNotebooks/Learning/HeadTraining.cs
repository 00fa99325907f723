namespace CamNotebooks.Learning;

/// <summary>Which optimiser <see cref="HeadTrainer"/> uses.</summary>
public enum HeadOptimizer
{
    /// <summary>Adam (β = 0.9, 0.999), fastai's default.</summary>
    Adam,

    /// <summary>Plain stochastic gradient descent with momentum <see cref="HeadTrainingOptions.Momentum"/>.</summary>
    Sgd,
}

/// <summary>How <see cref="HeadTrainer"/> trains a head.</summary>
public sealed record HeadTrainingOptions
{
    /// <summary>Passes over the training features.</summary>
    public int Epochs { get; init; } = 8;

    /// <summary>Step size.</summary>
    public double LearningRate { get; init; } = 1e-2;

    /// <summary>Examples per step; null for full batch (one step per epoch).</summary>
    public int? BatchSize { get; init; } = 32;

    /// <summary>The optimiser.</summary>
    public HeadOptimizer Optimizer { get; init; } = HeadOptimizer.Adam;

    /// <summary>L2 weight decay passed to the optimiser.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Momentum for <see cref="HeadOptimizer.Sgd"/>.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Seed of the mini-batch shuffling (the head's initial weights come from its own seed).</summary>
    public ulong Seed { get; init; }
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
