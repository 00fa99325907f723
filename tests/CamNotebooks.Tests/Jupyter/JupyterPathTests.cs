using System.Collections.Concurrent;
using System.Diagnostics;
using CamNotebooks.Book.Building;
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
    public void A_downloaded_chapter_02_runs_through_jupyter_nbconvert_from_a_folder_outside_the_checkout_predicts_cat_and_listens_on_loopback_only()
    {
        DebianJupyter.Require();
        string root = Path.Combine(Path.GetTempPath(), "camnb-jupyter-" + Guid.NewGuid().ToString("N"));
        Assert.False(root.StartsWith(Repository.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        // Jupyter's folders and the kernel registration stay inside the temp folder; the kernel sends no telemetry.
        var environment = JupyterEnvironment(root);
        var watch = Stopwatch.StartNew();
        // The book's download of chapter 02, written by the book's own code: the chapter as .ipynb, marked and made to
        // run anywhere (the book does the same with the executed copy; nbconvert re-executes every cell either way).
        string converted = Path.Combine(root, "converted");
        Directory.CreateDirectory(converted);
        File.Copy(Path.Combine(Repository.Notebooks, "02_class_activation_maps.dib"), Path.Combine(converted, "02_class_activation_maps.dib"));
        Step("dotnet", ["exec", BookFixtures.BookAssembly, "ipynb", converted], root, environment, TimeSpan.FromMinutes(2));
        var source = NotebookSource.Discover(Repository.Notebooks).Single(s => s.RelativePath == "02_class_activation_maps.dib");
        string book = Path.Combine(root, "book");
        Directory.CreateDirectory(book);
        NotebookDownloads.Write(book, [(source, Path.Combine(converted, "02_class_activation_maps.ipynb"), null)]);
        // The learner's downloads folder: no repository above it, no tool manifest.
        string notebooks = Path.Combine(root, "Downloads");
        Directory.CreateDirectory(notebooks);
        string ipynb = Path.Combine(notebooks, "02_class_activation_maps.ipynb");
        File.Copy(Path.Combine(book, "02_class_activation_maps.ipynb"), ipynb);

        // The kernel as the README registers it (inside the repository), then started from the downloads folder.
        string kernels = Path.Combine(root, "jupyter", "kernels");
        Step("dotnet", ["exec", BookFixtures.BookAssembly, "jupyter-kernel", "--path", kernels], Repository.Root, environment, TimeSpan.FromMinutes(5));
        var list = Step(DebianJupyter.Jupyter, ["kernelspec", "list"], notebooks, environment, TimeSpan.FromMinutes(1));
        Assert.Contains(".net-csharp", list.StandardOutput);
        var listeners = new ConcurrentBag<Listener>();
        var run = Step(DebianJupyter.Jupyter,
            ["nbconvert", "--execute", "--to", "notebook", "--ExecutePreprocessor.timeout=900", "--output", "executed.ipynb", ipynb],
            notebooks, environment, TimeSpan.FromMinutes(20), whileRunning: pid => { foreach (var l in Listener.Of(pid)) listeners.Add(l); });
        output.WriteLine($"nbconvert --execute of the downloaded chapter 02 with the .net-csharp kernel: {watch.Elapsed.TotalSeconds:F1} s in all");
        var seen = listeners.Distinct().ToList();
        output.WriteLine("listening while it ran: " + string.Join(", ", seen));
        // The kernel's HTTP services (ports 2048-3000) were up, and nothing of nbconvert's process tree listened beyond loopback.
        Assert.Contains(seen, l => l.Port is >= 2048 and <= 3000);
        Assert.All(seen, l => Assert.True(l.IsLoopback, $"{l} listens beyond 127.0.0.1"));

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

    /// <summary>Jupyter's folders inside <paramref name="root"/> (the user's own stay untouched), and no telemetry.</summary>
    internal static Dictionary<string, string> JupyterEnvironment(string root) => new()
    {
        ["JUPYTER_PATH"] = Path.Combine(root, "jupyter"),
        ["JUPYTER_DATA_DIR"] = Path.Combine(root, "jupyter-data"),
        ["JUPYTER_RUNTIME_DIR"] = Path.Combine(root, "jupyter-runtime"),
        ["JUPYTER_CONFIG_DIR"] = Path.Combine(root, "jupyter-config"),
        ["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1",
    };

    /// <summary>
    /// Runs a child process to its end within <paramref name="timeout"/>; <paramref name="whileRunning"/> (if given) is
    /// called with its id every half second until it ends. Fails the test unless it exits with <paramref name="expectedExitCode"/>.
    /// </summary>
    internal static ProcessRunner.Outcome Step(string command, string[] arguments, string folder, Dictionary<string, string> environment, TimeSpan timeout,
        Action<int>? whileRunning = null, int? expectedExitCode = 0)
    {
        var start = new ProcessStartInfo(command) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var deadline = Stopwatch.StartNew();
        while (whileRunning is not null && !process.WaitForExit(500) && deadline.Elapsed < timeout) whileRunning(process.Id);
        if (!process.WaitForExit(timeout - deadline.Elapsed < TimeSpan.Zero ? TimeSpan.Zero : timeout - deadline.Elapsed))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{command} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }
        process.WaitForExit();
        var outcome = new ProcessRunner.Outcome(process.ExitCode, stdout.Result, stderr.Result);
        if (expectedExitCode is { } expected) Assert.True(outcome.ExitCode == expected, $"{command} {string.Join(' ', arguments)}\n{outcome}");
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
