namespace CamNotebooks.Bench;

internal static class SpeedBenchmark
{
    public static int Run(BenchArguments options) => throw new NotImplementedException();
}
