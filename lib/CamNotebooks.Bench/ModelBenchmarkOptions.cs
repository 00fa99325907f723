namespace CamNotebooks.Bench;

/// <summary>Options of the <c>model</c> subcommand.</summary>
/// <param name="Runs">Timed runs per measurement (after warm-up).</param>
/// <param name="Threads">Thread counts to measure the forward pass with.</param>
/// <param name="OnnxDirectory">Folder with the ONNX files (null: the usual lookup).</param>
internal sealed record ModelBenchmarkOptions(int Runs, IReadOnlyList<int> Threads, string? OnnxDirectory)
{
    public static ModelBenchmarkOptions Parse(string[] args)
    {
        var options = new ModelBenchmarkOptions(10, [1, 2], null);
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--runs" => options with { Runs = PositiveInt(Value(), "--runs") },
                "--threads" => options with { Threads = Value().Split(',').Select(t => PositiveInt(t, "--threads")).ToArray() },
                "--onnx-dir" => options with { OnnxDirectory = Value() },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'. Known: --runs N, --threads 1,2, --onnx-dir DIR."),
            };
        }
        return options;
    }

    private static int PositiveInt(string text, string option) =>
        int.TryParse(text, out var value) && value > 0 ? value : throw new ArgumentException($"{option} expects a positive integer, got '{text}'.");
}
