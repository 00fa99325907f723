namespace CamNotebooks.Learning;

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
