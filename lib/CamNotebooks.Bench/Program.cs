using CamNotebooks;
using CamNotebooks.Bench;

// Benchmarks for CamNotebooks. Usage: dotnet run -c Release --project lib/CamNotebooks.Bench -- model [--runs N] [--threads 1,2]
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: CamNotebooks.Bench model [--runs N (default 10)] [--threads list (default 1,2)] [--onnx-dir DIR]");
    return args.Length == 0 ? 1 : 0;
}
try
{
    CamEnvironment.Initialize();
    return args[0] switch
    {
        "model" => ModelBenchmark.Run(ModelBenchmarkOptions.Parse(args[1..])),
        _ => throw new ArgumentException($"Unknown subcommand '{args[0]}'. Known: model."),
    };
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
