namespace CamNotebooks.Bench;

/// <summary>Options of the <c>measure</c>, <c>speed</c> and <c>pipeline</c> subcommands (each reads the ones it has).</summary>
/// <param name="Images">measure: at most this many validation photos (spread evenly); null: all.</param>
/// <param name="Runs">speed: timed runs per measurement after warm-up.</param>
/// <param name="Threads">TorchSharp (and ONNX Runtime) threads; null: leave TorchSharp's default.</param>
/// <param name="Iterations">speed: Grad-CAMs in the memory loop.</param>
/// <param name="FaithfulnessImages">measure: photos for the deletion/insertion curves (each costs 22 forward passes per map).</param>
internal sealed record BenchArguments(int? Images, int Runs, int? Threads, int Iterations, int FaithfulnessImages);
