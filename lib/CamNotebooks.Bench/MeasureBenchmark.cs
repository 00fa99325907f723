using System.Diagnostics;
using CamNotebooks.Data;
using CamNotebooks.Evaluation;
using CamNotebooks.Learning;
using CamNotebooks.Model;

namespace CamNotebooks.Bench;

/// <summary>
/// The map measurements of issue 8 on the validation photos: localization (pointing game, energy share) for every method and
/// layer, deletion/insertion faithfulness, and the cascading model-randomisation sanity check.
/// </summary>
internal static class MeasureBenchmark
{
    public static int Run(BenchArguments options)
    {
        Timing.DescribeMachine(options.Threads);
        var clock = Stopwatch.StartNew();
        using var pretrained = PretrainedResNet.Load();
        var split = PetsDataset.Load().Split();
        var training = PetClassifier.Train(pretrained, split);
        using var model = training.Classifier;
        Console.WriteLine($"Classifier trained in {clock.Elapsed.TotalSeconds:0.0} s; validation error {training.History[^1].ErrorRate:0.000}");
        using var all = EvaluationSet.Load(model, split.Validation);
        using var set = options.Images is { } cap ? all.Subset(cap) : all.Subset(all.Count);
        Console.WriteLine($"Validation photos: {set.Count} of {all.Count}" + (set.Count < all.Count ? " (spread evenly)" : ""));
        Console.WriteLine();

        Time("Localization", () => Console.WriteLine(LocalizationBenchmark.Run(model, set).ToText()));
        Time("Faithfulness", () =>
        {
            // Each photo costs 2 x 11 forward passes per map source, so the curves run on a spread-out subset.
            using var subset = set.Subset(options.FaithfulnessImages);
            Console.WriteLine(FaithfulnessBenchmark.Run(model, subset).ToText());
        });
        Time("Sanity check", () => Console.WriteLine(SanityCheck.Run(model, set).ToText()));
        Console.WriteLine($"Total {clock.Elapsed.TotalSeconds:0} s; peak working set {Timing.PeakWorkingSetMegabytes:0} MB");
        return 0;
    }

    private static void Time(string what, Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        Console.WriteLine($"({what}: {clock.Elapsed.TotalSeconds:0.0} s)");
        Console.WriteLine();
    }
}
