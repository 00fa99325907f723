namespace CamNotebooks.Bench;

/// <summary>Options shared by the <c>measure</c>, <c>speed</c> and <c>pipeline</c> subcommands.</summary>
/// <param name="Images">measure: at most this many validation photos (spread evenly); null: all.</param>
/// <param name="Runs">speed: timed runs per measurement after warm-up.</param>
/// <param name="Threads">TorchSharp (and ONNX Runtime) threads; null: leave TorchSharp's default.</param>
/// <param name="Iterations">speed: Grad-CAMs in the memory loop.</param>
/// <param name="FaithfulnessImages">measure: photos for the deletion/insertion curves (each costs 22 forward passes per map).</param>
internal sealed record BenchArguments(int? Images, int Runs, int? Threads, int Iterations, int FaithfulnessImages)
{
    public static BenchArguments Parse(string[] args)
    {
        var options = new BenchArguments(null, 15, null, 1000, 24);
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--images" => options with { Images = PositiveInt(Value(), "--images") },
                "--runs" => options with { Runs = PositiveInt(Value(), "--runs") },
                "--threads" => options with { Threads = PositiveInt(Value(), "--threads") },
                "--faithfulness-images" => options with { FaithfulnessImages = PositiveInt(Value(), "--faithfulness-images") },
                "--iterations" => options with { Iterations = PositiveInt(Value(), "--iterations") },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'. Known: --images N, --faithfulness-images N, --runs N, --threads N, --iterations N."),
            };
        }
        return options;
    }

    private static int PositiveInt(string text, string option) =>
        int.TryParse(text, out var value) && value > 0 ? value : throw new ArgumentException($"{option} expects a positive integer, got '{text}'.");
}
