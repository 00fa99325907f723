namespace CamNotebooks.Tests.Notebooks;

/// <summary>
/// The set-up runs before TorchSharp's first native call in both kernels: a notebook made of 00_setup.dib's set-up cell
/// (exactly as the chapters have it) and one cell that prints what the set-up saw in <c>/proc/self/maps</c> when it began.
/// </summary>
[Collection(StockKernelCollection.Name)]
public class SetupOrderTests
{
    private const string Probe = """
        var report = CamNotebooks.CamEnvironment.Initialize();
        Console.WriteLine($"libtorch mapped before set-up: {report.LibTorchMappedBeforeSetUp}");
        Console.WriteLine($"sum {TorchSharp.torch.ones(2, 2).sum().item<float>()}");
        """;

    /// <summary>The derived notebook, its relative paths (written for notebooks/) made absolute so it runs from any folder.</summary>
    private static string Derive(string name)
    {
        string setupCell = RerunNotebook.Cells(File.ReadAllText(Path.Combine(Repository.Notebooks, "00_setup.dib"))).First(c => c.Kernel == "csharp").Code;
        // Paths such as "../artifacts/..." in a #r, or ../artifacts/... after #!import, start with ../ after a quote or a space.
        setupCell = System.Text.RegularExpressions.Regex.Replace(setupCell, @"(?<=[""\s])\.\./", $"{Path.TrimEndingDirectorySeparator(Repository.Root)}/");
        Assert.DoesNotContain("../", setupCell);
        string folder = Path.Combine(Repository.Root, "artifacts", "test-setup-order");
        Directory.CreateDirectory(folder);
        string dib = Path.Combine(folder, name);
        File.WriteAllText(dib, $$$"""
            #!meta

            {"kernelInfo":{"defaultKernelName":"csharp","items":[{"aliases":[],"name":"csharp"}]}}

            #!csharp

            {{{setupCell.Trim()}}}

            #!csharp

            {{{Probe}}}
            """);
        return dib;
    }

    [Fact]
    public void In_the_project_runner()
    {
        if (!OperatingSystem.IsLinux()) return;
        string dib = Derive("setup-order-runner.dib");
        string output = Path.Combine(Path.GetDirectoryName(dib)!, "runner");
        var outcome = ProcessRunner.RunNotebooks(output, dib);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        string executed = File.ReadAllText(Path.Combine(output, "setup-order-runner.ipynb"));
        Assert.Contains("libtorch mapped before set-up: False", executed);
        Assert.Contains("sum 4", executed);
    }

    [Fact]
    public void In_dotnet_repl()
    {
        if (!OperatingSystem.IsLinux()) return;
        string dib = Derive("setup-order-repl.dib");
        string output = Path.ChangeExtension(dib, ".ipynb");
        var outcome = StockKernelRun.RunInDotnetRepl(dib, output);
        Assert.True(outcome.ExitCode == 0, $"{StockKernelRun.FailedCellsOf(output)}\n{outcome}");
        string executed = File.ReadAllText(output);
        Assert.Contains("libtorch mapped before set-up: False", executed);
        Assert.Contains("sum 4", executed);
    }
}
