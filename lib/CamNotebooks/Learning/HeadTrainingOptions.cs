namespace CamNotebooks.Learning;

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

/// <summary>Which optimiser <see cref="HeadTrainer"/> uses.</summary>
public enum HeadOptimizer
{
    /// <summary>Adam (β = 0.9, 0.999), fastai's default.</summary>
    Adam,

    /// <summary>Plain stochastic gradient descent with momentum <see cref="HeadTrainingOptions.Momentum"/>.</summary>
    Sgd,
}
