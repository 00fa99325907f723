using System.CommandLine;
using CamNotebooks.Setup;
using CamNotebooks.Bench;
using CamNotebooks.Tools;

// Benchmarks for CamNotebooks. Usage: dotnet run -c Release --project lib/CamNotebooks.Bench -- <subcommand> [options]
var runs = (int fallback) => CommandLineTool.Positive<int>("--runs", "whole number", "Timed runs per measurement, after warm-up.", fallback);
var threads = () => CommandLineTool.Positive<int>("--threads", "whole number", "TorchSharp (and ONNX Runtime) threads [default: TorchSharp's].");

var modelRuns = runs(10);
int[] defaultModelThreads = [1, 2];
var modelThreads = CommandLineTool.PositiveList("--threads", $"Thread counts to time the forward pass with [default: {string.Join(',', defaultModelThreads)}].");
var onnxDirectory = CommandLineTool.Text("--onnx-dir", "Folder with the ONNX files [default: the usual lookup].", "DIR");
var model = new Command("model", "Weight conversion, cached load, TorchSharp vs ONNX Runtime forward pass.") { modelRuns, modelThreads, onnxDirectory };
model.SetAction(parsed => Run(() => ModelBenchmark.Run(new ModelBenchmarkOptions(
    parsed.GetValue(modelRuns), parsed.GetValue(modelThreads) is { Length: > 0 } given ? given : defaultModelThreads, parsed.GetValue(onnxDirectory)))));

var images = CommandLineTool.Positive<int>("--images", "whole number", "At most N validation photos, spread evenly [default: all 74].");
var faithfulnessImages = CommandLineTool.Positive<int>("--faithfulness-images", "whole number",
    "Photos for the deletion/insertion curves (each costs 22 forward passes per map).", 24);
var measureThreads = threads();
var measure = new Command("measure", "Localization, faithfulness and sanity-check tables of the maps on the validation photos.")
{
    images, faithfulnessImages, measureThreads,
};
measure.SetAction(parsed => Run(() => MeasureBenchmark.Run(Defaults with
{
    Images = parsed.ValueOrNull(images), FaithfulnessImages = parsed.GetValue(faithfulnessImages), Threads = parsed.ValueOrNull(measureThreads),
})));

var speedRuns = runs(Defaults.Runs);
var speedThreads = threads();
var iterations = CommandLineTool.Positive<int>("--iterations", "whole number", "Grad-CAMs in the memory loop.", Defaults.Iterations);
var speed = new Command("speed", "Hooks, CAM, Grad-CAM(++) and ONNX Runtime as ratios to a plain forward pass; Grad-CAM memory loop.")
{
    speedRuns, speedThreads, iterations,
};
speed.SetAction(parsed => Run(() => SpeedBenchmark.Run(Defaults with
{
    Runs = parsed.GetValue(speedRuns), Threads = parsed.ValueOrNull(speedThreads), Iterations = parsed.GetValue(iterations),
})));

var pipelineThreads = threads();
var pipeline = new Command("pipeline", "Nothing to trained classifier: conversion, cached load, features, head training, peak memory.") { pipelineThreads };
pipeline.SetAction(parsed => Run(() => PipelineBenchmark.Run(Defaults with { Threads = parsed.ValueOrNull(pipelineThreads) })));

var root = new RootCommand("CamNotebooks.Bench: benchmarks of the model, the maps and the pipeline. Run in Release; timings depend on the machine's load.")
{
    model, measure, speed, pipeline,
};
return await CommandLineTool.InvokeAsync(root, args, Console.Out, Console.Error);

// Set-up runs only once a benchmark is chosen: --help and bad options need no native library.
static int Run(Func<int> benchmark)
{
    try
    {
        RuntimeSetup.Ensure();
        return benchmark();
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return CommandLineTool.BadInput;
    }
}

internal static partial class Program
{
    /// <summary>What the measure/speed/pipeline benchmarks use when an option is absent.</summary>
    private static readonly BenchArguments Defaults = new(Images: null, Runs: 15, Threads: null, Iterations: 1000, FaithfulnessImages: 24);
}
