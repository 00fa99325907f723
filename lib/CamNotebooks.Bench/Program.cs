using CamNotebooks;
using CamNotebooks.Bench;

// Benchmarks for CamNotebooks. Usage: dotnet run -c Release --project lib/CamNotebooks.Bench -- <subcommand> [options]
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("""
        usage: CamNotebooks.Bench <subcommand> [options]
          model     [--runs N (default 10)] [--threads list (default 1,2)] [--onnx-dir DIR]
                    weight conversion, cached load, TorchSharp vs ONNX Runtime forward pass
          measure   [--images N (default all 74)] [--faithfulness-images N (default 24)] [--threads N]
                    localization, faithfulness and sanity-check tables of the maps on the validation photos
          speed     [--runs N (default 15)] [--threads N] [--iterations N (default 1000)]
                    hooks, CAM, Grad-CAM(++) and ONNX Runtime as ratios to a plain forward pass; Grad-CAM memory loop
          pipeline  [--threads N]
                    nothing to trained classifier: conversion, cached load, features, head training, peak memory
        """);
    return args.Length == 0 ? 1 : 0;
}
try
{
    CamEnvironment.Initialize();
    return args[0] switch
    {
        "model" => ModelBenchmark.Run(ModelBenchmarkOptions.Parse(args[1..])),
        "measure" => MeasureBenchmark.Run(BenchArguments.Parse(args[1..])),
        "speed" => SpeedBenchmark.Run(BenchArguments.Parse(args[1..])),
        "pipeline" => PipelineBenchmark.Run(BenchArguments.Parse(args[1..])),
        _ => throw new ArgumentException($"Unknown subcommand '{args[0]}'. Known: model, measure, speed, pipeline."),
    };
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
