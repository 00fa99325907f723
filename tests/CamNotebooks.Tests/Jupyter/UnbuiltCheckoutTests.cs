using CamNotebooks.Book.Building;
using CamNotebooks.Tests.Book;
using CamNotebooks.Tests.Notebooks;

namespace CamNotebooks.Tests.Jupyter;

/// <summary>
/// A checkout that was never built, was cleaned (<c>git clean -xfd</c> removes artifacts/) or has moved since its
/// build: the runner, dotnet-repl and Jupyter each say in one message which path is missing and which command to run,
/// instead of a stack trace or a wall of CS0006/CS0246 errors. Each kernel runs a one-cell notebook.
/// </summary>
[Collection(StockKernelCollection.Name)]
public class UnbuiltCheckoutTests
{
    private const string Command = "dotnet build lib/CamNotebooks -c Release";

    private const string Tiny = """
        #!meta

        {"kernelInfo":{"defaultKernelName":"csharp","items":[{"aliases":[],"name":"csharp"},{"aliases":[],"name":"markdown"}]}}

        #!csharp

        #!import ../artifacts/notebook-lib/setup.csx

        #!csharp

        Console.WriteLine("after the set-up");
        """;

    /// <summary>A checkout laid out like the real one (tool manifest, the library's project file, notebooks/tiny.dib), never built.</summary>
    private static string Checkout()
    {
        string root = Path.Combine(Path.GetTempPath(), "camnb-unbuilt-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "notebooks"));
        Directory.CreateDirectory(Path.Combine(root, "lib", "CamNotebooks"));
        File.Copy(Path.Combine(Repository.Root, "lib", "CamNotebooks", "CamNotebooks.csproj"), Path.Combine(root, "lib", "CamNotebooks", "CamNotebooks.csproj"));
        File.Copy(Path.Combine(Repository.Root, "dotnet-tools.json"), Path.Combine(root, "dotnet-tools.json"));
        File.WriteAllText(Path.Combine(root, "notebooks", "tiny.dib"), Tiny);
        return root;
    }

    /// <summary>The same checkout built in another folder, then moved here: its setup.csx names the old place's library.</summary>
    private static (string Root, string OldLibrary) MovedCheckout()
    {
        string root = Checkout();
        string old = Path.Combine(Path.GetTempPath(), "camnb-old-place-" + Guid.NewGuid().ToString("N"), "artifacts", "notebook-lib", "CamNotebooks.dll");
        string library = Path.Combine(Repository.Root, "artifacts", "notebook-lib", "CamNotebooks.dll");
        string setup = File.ReadAllText(Path.Combine(Repository.Root, "artifacts", "notebook-lib", "setup.csx"));
        Assert.Contains(library, setup);
        Directory.CreateDirectory(Path.Combine(root, "artifacts", "notebook-lib"));
        File.WriteAllText(Path.Combine(root, "artifacts", "notebook-lib", "setup.csx"), setup.Replace(library, old, StringComparison.Ordinal));
        return (root, old);
    }

    private static ProcessRunner.Outcome RunRunner(string root) =>
        ProcessRunner.Run("dotnet", ["exec", Repository.RunnerAssembly, "run", Path.Combine(root, "notebooks", "tiny.dib"), "--output", Path.Combine(root, "out")],
            root, TimeSpan.FromMinutes(5));

    [Fact]
    public void The_runner_names_the_missing_set_up_file_and_the_command_in_a_never_built_or_cleaned_checkout()
    {
        string root = Checkout();
        var outcome = RunRunner(root);
        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        string setup = Path.Combine(root, "artifacts", "notebook-lib", "setup.csx");
        Assert.Equal($"error: tiny.dib: {setup} is missing: the notebooks' library is not built in this checkout (never built, or cleaned since): " +
                     $"run '{Command}' (./build.sh does it) in {root}, then run again.", outcome.StandardError.Trim());
        Assert.DoesNotContain("running", outcome.StandardOutput); // refused before any kernel started
    }

    [Fact]
    public void The_runner_names_the_old_library_path_and_the_command_in_a_moved_checkout()
    {
        var (root, old) = MovedCheckout();
        var outcome = RunRunner(root);
        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        string error = outcome.StandardError.Trim();
        Assert.True(!error.Contains('\n'), $"not one line:\n{error}");
        Assert.Contains($"loads the library from {old}, which is not there", error);
        Assert.Contains($"run '{Command}' (./build.sh does it) in {root}", error);
        Assert.DoesNotContain("CS0", error);
    }

    [Fact]
    public void Dotnet_repl_says_in_one_line_where_the_library_is_missing_and_what_to_run_in_a_moved_checkout()
    {
        var (root, old) = MovedCheckout();
        string output = Path.Combine(root, "out", "tiny.ipynb");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!); // dotnet-repl does not create it
        var restore = ProcessRunner.Run("dotnet", ["tool", "restore"], root, TimeSpan.FromMinutes(5));
        Assert.True(restore.ExitCode == 0, restore.ToString());
        // dotnet-repl starts in the notebook's folder, as VS Code does.
        var outcome = ProcessRunner.Run("dotnet",
            ["dotnet-repl", "--run", Path.Combine(root, "notebooks", "tiny.dib"), "--exit-after-run", "--output-format", "ipynb", "--output-path", output],
            Path.Combine(root, "notebooks"), TimeSpan.FromMinutes(10));
        Assert.True(File.Exists(output), outcome.ToString());
        AssertOneClearLine(FirstCellError(output), $"The CamNotebooks library is not at {old}", root);
    }

    [DebianJupyterFact]
    public void A_downloaded_notebook_whose_checkout_is_not_built_says_so_in_one_line_through_jupyter()
    {
        DebianJupyter.Require();
        string root = Checkout(); // the book was built here, then the checkout was cleaned
        var source = NotebookSource.Discover(Path.Combine(root, "notebooks")).Single();
        string converted = Path.Combine(root, "converted");
        Directory.CreateDirectory(converted);
        File.Copy(source.FullPath, Path.Combine(converted, "tiny.dib"));
        var environment = JupyterPathTests.JupyterEnvironment(root);
        JupyterPathTests.Step("dotnet", ["exec", BookFixtures.BookAssembly, "ipynb", converted], root, environment, TimeSpan.FromMinutes(2));
        string book = Path.Combine(root, "book");
        Directory.CreateDirectory(book);
        NotebookDownloads.Write(book, [(source, Path.Combine(converted, "tiny.ipynb"), null)]);
        string downloads = Path.Combine(Path.GetTempPath(), "camnb-downloads-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(downloads);
        File.Copy(Path.Combine(book, "tiny.ipynb"), Path.Combine(downloads, "tiny.ipynb"));

        JupyterPathTests.Step("dotnet", ["exec", BookFixtures.BookAssembly, "jupyter-kernel", "--path", Path.Combine(root, "jupyter", "kernels")],
            Repository.Root, environment, TimeSpan.FromMinutes(5));
        JupyterPathTests.Step(DebianJupyter.Jupyter,
            ["nbconvert", "--execute", "--allow-errors", "--to", "notebook", "--ExecutePreprocessor.timeout=300", "--output", "executed.ipynb", "tiny.ipynb"],
            downloads, environment, TimeSpan.FromMinutes(10));
        string setup = Path.Combine(root, "artifacts", "notebook-lib", "setup.csx");
        AssertOneClearLine(FirstCellError(Path.Combine(downloads, "executed.ipynb")), $"{setup} is missing", root);
    }

    /// <summary>The first code cell's one error output: its value and the traceback lines that differ from it, as one text.</summary>
    private static string FirstCellError(string ipynb)
    {
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(ipynb));
        var cell = json.RootElement.GetProperty("cells").EnumerateArray().First(c => c.GetProperty("cell_type").GetString() == "code");
        var errors = cell.GetProperty("outputs").EnumerateArray().Where(o => o.GetProperty("output_type").GetString() == "error").ToList();
        Assert.True(errors.Count == 1, $"expected one error in the first cell of {ipynb}:\n{cell}");
        var error = errors[0];
        return string.Join("\n", new[] { error.GetProperty("evalue").GetString() ?? "" }
            .Concat(error.GetProperty("traceback").EnumerateArray().Select(t => t.GetString() ?? "")).Where(t => t.Trim().Length > 0)
            .Distinct()); // Jupyter's kernel repeats the message as the traceback
    }

    private static void AssertOneClearLine(string error, string missing, string root)
    {
        Assert.True(!error.Contains('\n'), $"not one line:\n{error}");
        Assert.Contains(missing, error);
        Assert.Contains($"'{Command}' (./build.sh does it) in {root}", error);
        Assert.DoesNotContain("CS0", error);
    }
}
