using System.Diagnostics;
using static TorchSharp.torch;

namespace CamNotebooks.Bench;

/// <summary>Median timings shared by the benchmarks: warm up first, then take the middle of repeated runs.</summary>
internal static class Timing
{
    /// <summary>Sets TorchSharp's threads (null: keep its default) and prints what the timings depend on.</summary>
    public static void DescribeMachine(int? threads)
    {
        if (threads is { } count) set_num_threads(count);
        Console.WriteLine($"Machine: {Environment.ProcessorCount} logical cores, load average {LoadAverage()}; TorchSharp threads {get_num_threads()}");
    }

    /// <summary>The 1, 5 and 15 minute load averages (the machine is shared), or "n/a" where /proc is missing.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>This process's peak working set so far, in MB.</summary>
    public static double PeakWorkingSetMegabytes => Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024);

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

    /// <summary>
    /// Medians per (action, input), timed round-robin after warm-up: every run times each action on each input once, in turn,
    /// so a change in the machine's load (it is shared) hits all measurements alike instead of whichever ran at that moment.
    /// </summary>
    public static double[][] Interleaved<T>(IReadOnlyList<Action<T>> actions, IReadOnlyList<T> inputs, int runs, int warmUpRuns = WarmUpRuns)
    {
        foreach (var action in actions)
            foreach (var input in inputs)
                for (var i = 0; i < warmUpRuns; i++) action(input);
        var times = actions.Select(_ => inputs.Select(_ => new double[runs]).ToArray()).ToArray();
        for (var run = 0; run < runs; run++)
            for (var a = 0; a < actions.Count; a++)
                for (var b = 0; b < inputs.Count; b++)
                {
                    var clock = Stopwatch.StartNew();
                    actions[a](inputs[b]);
                    times[a][b][run] = clock.Elapsed.TotalMilliseconds;
                }
        return times.Select(perInput => perInput.Select(MedianOf).ToArray()).ToArray();
    }

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    public static double MedianOf(double[] values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
