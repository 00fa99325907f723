using System.Diagnostics;

namespace CamNotebooks.Bench;

/// <summary>Median timings shared by the benchmarks: warm up first, then take the middle of repeated runs.</summary>
internal static class Timing
{
    /// <summary>Runs before timing starts (JIT, allocator and libtorch's own caches settle).</summary>
    public const int WarmUpRuns = 3;

    /// <summary>Median wall time in milliseconds of <paramref name="runs"/> calls of <paramref name="action"/>, after warm-up.</summary>
    public static double Median(int runs, Action action)
    {
        for (var i = 0; i < WarmUpRuns; i++) action();
        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        return MedianOf(times);
    }

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    public static double MedianOf(double[] values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
