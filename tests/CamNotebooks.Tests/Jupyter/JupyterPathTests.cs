using System.Diagnostics;
using System.Text.RegularExpressions;
using CamNotebooks.Book.Notebooks;
using Executed = CamNotebooks.Book.Notebooks.ExecutedNotebook;
using CamNotebooks.Tests.Book;
using CamNotebooks.Tests.Notebooks;
using Xunit.Abstractions;

namespace CamNotebooks.Tests.Jupyter;

/// <summary>
/// The Jupyter path a learner takes when the Polyglot extension no longer works: the book tool writes the .ipynb, the
/// .NET Interactive kernel from the tool manifest is registered with Jupyter, and Debian's nbconvert runs the chapter
/// headless through it.
/// </summary>
[Collection(StockKernelCollection.Name)]
public partial class JupyterPathTests(ITestOutputHelper output)
{
    [DebianJupyterFact]
    public void Chapter_02_runs_through_jupyter_nbconvert_with_the_net_csharp_kernel_and_predicts_cat_for_the_hero_photo()
    {
        DebianJupyter.Require();
        // A throw-away copy of the repository layout: the library, the data, the tool manifest, and the chapter.
        string root = Path.Combine(Path.GetTempPath(), "camnb-jupyter-" + Guid.NewGuid().ToString("N"));
        Repository.CopyNotebookLibrary(root);
        Directory.CreateSymbolicLink(Path.Combine(root, "data"), Path.Combine(Repository.Root, "data"));
        File.Copy(Path.Combine(Repository.Root, "dotnet-tools.json"), Path.Combine(root, "dotnet-tools.json"));
        string notebooks = Path.Combine(root, "notebooks");
        Directory.CreateDirectory(notebooks);
        File.Copy(Path.Combine(Repository.Notebooks, "02_class_activation_maps.dib"), Path.Combine(notebooks, "02_class_activation_maps.dib"));

        // Jupyter's folders and the kernel registration stay inside the copy; the kernel sends no telemetry.
        var environment = new Dictionary<string, string>
        {
            ["JUPYTER_PATH"] = Path.Combine(root, "jupyter"),
            ["JUPYTER_DATA_DIR"] = Path.Combine(root, "jupyter-data"),
            ["JUPYTER_RUNTIME_DIR"] = Path.Combine(root, "jupyter-runtime"),
            ["JUPYTER_CONFIG_DIR"] = Path.Combine(root, "jupyter-config"),
            ["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1",
        };
        var watch = Stopwatch.StartNew();
        Step("dotnet", ["exec", BookFixtures.BookAssembly, "ipynb", notebooks], root, environment, TimeSpan.FromMinutes(2));
        string ipynb = Path.Combine(notebooks, "02_class_activation_maps.ipynb");
        Assert.True(File.Exists(ipynb));
        Step("dotnet", ["tool", "restore"], root, environment, TimeSpan.FromMinutes(5));
        string kernels = Path.Combine(root, "jupyter", "kernels");
        Directory.CreateDirectory(kernels);
        Step("dotnet", ["interactive", "jupyter", "install", "--path", kernels], root, environment, TimeSpan.FromMinutes(2));
        var list = Step(DebianJupyter.Jupyter, ["kernelspec", "list"], root, environment, TimeSpan.FromMinutes(1));
        Assert.Contains(".net-csharp", list.StandardOutput);
        var run = Step(DebianJupyter.Jupyter,
            ["nbconvert", "--execute", "--to", "notebook", "--ExecutePreprocessor.timeout=900", "--output", "executed.ipynb", ipynb],
            notebooks, environment, TimeSpan.FromMinutes(20));
        output.WriteLine($"nbconvert --execute of chapter 02 with the .net-csharp kernel: {watch.Elapsed.TotalSeconds:F1} s in all");

        string executed = Path.Combine(notebooks, "executed.ipynb");
        Assert.Empty(DebianJupyter.SchemaProblems([executed]));
        var cells = Executed.Load(executed).Cells;
        Assert.DoesNotContain(cells, c => c.Outputs.OfType<ErrorOutput>().Any());
        // The hero photo's prediction, found by what the cells print (cell numbers and sources change as the chapter
        // changes): the first prediction printed at or after the output that names the hero photo.
        var outputs = cells
            .Where(c => c.IsCode)
            .Select(c => string.Concat(c.Outputs.Select(OutputText)))
            .ToList();
        int hero = outputs.FindIndex(text => text.Contains("Bengal_109", StringComparison.Ordinal));
        var predictions = outputs.Skip(Math.Max(hero, 0))
            .Select(text => Prediction().Match(text))
            .Where(m => hero >= 0 && m.Success)
            .ToList();
        Assert.True(predictions.Count > 0, $"no 'Prediction: ..., p(cat) = ...' output at or after the output naming Bengal_109.\n{run}");
        Assert.Equal("cat", predictions[0].Groups["label"].Value);
        Assert.True(double.Parse(predictions[0].Groups["p"].Value, System.Globalization.CultureInfo.InvariantCulture) > 0.9, predictions[0].Value);
    }

    private static ProcessRunner.Outcome Step(string command, string[] arguments, string folder, Dictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(command) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{command} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }
        process.WaitForExit();
        var outcome = new ProcessRunner.Outcome(process.ExitCode, stdout.Result, stderr.Result);
        Assert.True(outcome.ExitCode == 0, $"{command} {string.Join(' ', arguments)}\n{outcome}");
        return outcome;
    }

    private static string OutputText(CellOutput output) => output switch
    {
        StreamOutput stream => stream.Text,
        DisplayOutput display => display.Data.GetValueOrDefault("text/plain", ""),
        _ => "",
    };

    [GeneratedRegex(@"Prediction: (?<label>cat|dog), p\(cat\) = (?<p>[0-9.]+)")]
    private static partial Regex Prediction();
}
