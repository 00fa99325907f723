using System.Diagnostics;
using CamNotebooks.Data;
using CamNotebooks.Learning;
using CamNotebooks.Model;

namespace CamNotebooks.Bench;

/// <summary>Issue 5's "nothing to trained classifier": conversion with an empty cache, cached load, features, head training, peak memory.</summary>
internal static class PipelineBenchmark
{
    public static int Run(BenchArguments options)
    {
        Timing.DescribeMachine(options.Threads);
        var cache = Directory.CreateTempSubdirectory("camnotebooks-pipeline-cache-").FullName;
        try
        {
            var total = Stopwatch.StartNew();
            var clock = Stopwatch.StartNew();
            using (var first = PretrainedResNet.Load(cacheDirectory: cache))
                Console.WriteLine($"Weight conversion (empty temp cache):  {clock.Elapsed.TotalSeconds,6:0.00} s  [from cache: {first.Report.FromCache}]");
            clock.Restart();
            using var pretrained = PretrainedResNet.Load(cacheDirectory: cache);
            var cachedLoad = clock.Elapsed;
            Console.WriteLine($"Cached load:                           {cachedLoad.TotalSeconds,6:0.00} s  [from cache: {pretrained.Report.FromCache}]");
            clock.Restart();
            var split = PetsDataset.Load().Split();
            Console.WriteLine($"Data set index and split:              {clock.Elapsed.TotalSeconds,6:0.00} s  ({split.Train.Count} train, {split.Validation.Count} validation)");
            // Without the feature cache: this measures the extraction itself, not reading an earlier run's result.
            var training = PetClassifier.Train(pretrained, split, useFeatureCache: false);
            using var model = training.Classifier;
            int photos = split.Train.Count + split.Validation.Count;
            Console.WriteLine($"Feature extraction ({photos} photos):     {training.FeatureTime.TotalSeconds,6:0.00} s  ({training.FeatureTime.TotalMilliseconds / photos:0.0} ms/photo; target < 15 s)");
            Console.WriteLine($"Head training ({training.History.Count} epochs):              {training.TrainingTime.TotalSeconds,6:0.00} s  (target < 2 s); validation error {training.History[^1].ErrorRate:0.000}");
            Console.WriteLine($"Total, conversion included:            {total.Elapsed.TotalSeconds,6:0.00} s");
            Console.WriteLine($"Total on a warm cache (no conversion): {(cachedLoad + clock.Elapsed).TotalSeconds,6:0.00} s  (target < 30 s)");
            Console.WriteLine($"Peak working set: {Timing.PeakWorkingSetMegabytes:0} MB");
            return 0;
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }
}
