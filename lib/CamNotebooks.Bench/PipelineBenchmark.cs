namespace CamNotebooks.Bench;

internal static class PipelineBenchmark
{
    public static int Run(BenchArguments options) => throw new NotImplementedException();
}
