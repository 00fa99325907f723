namespace CamNotebooks.Learning;

/// <summary>Which optimiser <see cref="HeadTrainer"/> uses.</summary>
public enum HeadOptimizer
{
    /// <summary>Adam (β = 0.9, 0.999), fastai's default.</summary>
    Adam,

    /// <summary>Plain stochastic gradient descent with momentum <see cref="HeadTrainingOptions.Momentum"/>.</summary>
    Sgd,
}
