using System.Globalization;

namespace CamNotebooks.Learning;

/// <summary>Prints training progress as a table, one line per epoch, like fastai's <c>fine_tune</c> output.</summary>
public static class TrainingProgress
{
    /// <summary>The column titles.</summary>
    public const string Header = "epoch  train_loss  valid_loss  accuracy  error_rate  time";

    /// <summary>One table line, e.g. <c>"    1      0.4521      0.2310    0.9324      0.0676  0.01s"</c>.</summary>
    public static string Format(EpochReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return string.Create(CultureInfo.InvariantCulture,
            $"{report.Epoch,5}  {report.TrainLoss,10:0.0000}  {report.ValidLoss,10:0.0000}  {report.ValidAccuracy,8:0.0000}  {report.ErrorRate,10:0.0000}  {report.Elapsed.TotalSeconds:0.00}s");
    }

    /// <summary>A progress callback that writes the header before epoch 1 and a line per epoch to <paramref name="writer"/> (the console when null).</summary>
    public static Action<EpochReport> ToConsole(TextWriter? writer = null) => report =>
    {
        var output = writer ?? Console.Out;
        if (report.Epoch == 1) output.WriteLine(Header);
        output.WriteLine(Format(report));
    };
}
