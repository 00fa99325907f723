namespace CamNotebooks.Bench;

/// <summary>Options of the <c>model</c> subcommand.</summary>
/// <param name="Runs">Timed runs per measurement (after warm-up).</param>
/// <param name="Threads">Thread counts to measure the forward pass with.</param>
/// <param name="OnnxDirectory">Folder with the ONNX files (null: the usual lookup).</param>
internal sealed record ModelBenchmarkOptions(int Runs, IReadOnlyList<int> Threads, string? OnnxDirectory);
