using System.CommandLine;
using CamNotebooks.Book.Building;
using CamNotebooks.Book.Rendering;
using CamNotebooks.Tools;

namespace CamNotebooks.Book;

/// <summary>The book's command line: <c>build</c>, <c>ipynb</c>, <c>jupyter-kernel</c> and <c>live</c>.</summary>
public static class BookCommand
{
    /// <summary>Parses <paramref name="args"/>, runs the chosen command, and returns the process exit code.</summary>
    public static Task<int> MainAsync(string[] args, TextWriter output, TextWriter error) =>
        CommandLineTool.InvokeAsync(Create(), args, output, error);

    /// <summary>The whole command line, every subcommand with its options.</summary>
    internal static RootCommand Create() => new("CamNotebooks.Book: the rendered, offline book of the notebooks, and the tools around it.")
    {
        BuildCommand(), Jupyter.IpynbCommand.Create(), Jupyter.KernelCommand.Create(), Live.LiveCommand.Create(),
    };

    private static Command BuildCommand()
    {
        var notebooks = CommandLineTool.Text("--notebooks", "The .dib chapters, with exercises in <folder>/exercises.", "folder", "notebooks");
        var output = CommandLineTool.Text("--output", "Where the book goes.", "folder", Path.Combine("out", "book"));
        var cache = CommandLineTool.Text("--cache", "Executed notebooks kept between builds [default: <root>/artifacts/book-cache].", "folder");
        var root = CommandLineTool.Text("--root",
            "The repository [default: the nearest folder above the notebooks with Directory.Packages.props].", "folder");
        var runner = CommandLineTool.Text("--runner", "CamNotebooks.Runner.dll [default: the one built with this program].", "dll");
        var title = CommandLineTool.Text("--title", "The book's title.", "text", BookSettings.Default.Title);
        var timeout = CommandLineTool.Positive<double>("--timeout", "number of minutes",
            "How long one notebook may run, in minutes; then it is stopped and the cells that finished are shown.", 30);
        var noExplorer = new Option<bool>("--no-explorer") { Description = "Leave out the \"Which layer, which method?\" page (and its precomputation)." };
        var explorerPhotos = CommandLineTool.Positive<int>("--explorer-photos", "whole number",
            "How many validation photos the explorer shows.", ExplorerSettings.Default.Photos);
        var explorerMaxCost = CommandLineTool.Positive<double>("--explorer-max-cost", "number of forward passes",
            "The most a method may cost on one layer of the explorer, in plain forward passes; a costlier one is left out, and the page says so.",
            ExplorerSettings.Default.MaxCost);
        var explorerExclude = CommandLineTool.Text("--explorer-exclude", "Methods to leave out of the explorer, comma-separated (e.g. Score-CAM).", "names", "");
        var build = new Command("build", "Executes the notebooks that changed since the last build (one runner process each), renders every " +
            "notebook to an offline HTML page, and writes the book with its index, style sheet and plotly.js. " +
            "Exit code: 0 when every notebook ran through, 1 when one failed (its page shows the error), 2 on bad input.")
        {
            notebooks, output, cache, root, runner, title, timeout, noExplorer, explorerPhotos, explorerMaxCost, explorerExclude,
        };
        build.SetAction((parsed, _) =>
        {
            string notebooksFolder = parsed.GetRequiredValue(notebooks);
            var (stdout, stderr) = (parsed.InvocationConfiguration.Output, parsed.InvocationConfiguration.Error);
            if (!Directory.Exists(notebooksFolder))
                return Task.FromResult(CommandLineTool.Refuse(parsed, stderr, $"the notebooks folder '{Path.GetFullPath(notebooksFolder)}' does not exist."));
            string outputFolder = Path.GetFullPath(parsed.GetRequiredValue(output));
            if (Inside(outputFolder, Path.GetFullPath(notebooksFolder)))
                return Task.FromResult(CommandLineTool.Refuse(parsed, stderr,
                    $"the output folder '{outputFolder}' is inside the notebooks folder '{Path.GetFullPath(notebooksFolder)}': the book's .dib copies " +
                    "would become notebooks of the next build. Choose an --output outside it (the default is out/book)."));
            if (OutputProblem(outputFolder) is { } problem)
                return Task.FromResult(CommandLineTool.Refuse(parsed, stderr, problem));
            string repository = parsed.GetValue(root) is { } givenRoot ? Path.GetFullPath(givenRoot) : FindRepositoryRoot(notebooksFolder);
            return BuildAsync(new BuildOptions(
                NotebooksFolder: Path.GetFullPath(notebooksFolder),
                OutputFolder: outputFolder,
                RepositoryRoot: repository,
                CacheFolder: Path.GetFullPath(parsed.GetValue(cache) ?? Path.Combine(repository, "artifacts", "book-cache")),
                RunnerAssembly: Path.GetFullPath(parsed.GetValue(runner) ?? RunnerProcess.DefaultRunnerAssembly),
                Settings: BookSettings.Default with { Title = parsed.GetRequiredValue(title) },
                NotebookTimeout: TimeSpan.FromMinutes(parsed.GetValue(timeout)),
                Explorer: parsed.GetValue(noExplorer) ? null : new ExplorerSettings(parsed.GetValue(explorerPhotos),
                    parsed.GetRequiredValue(explorerExclude).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    parsed.GetValue(explorerMaxCost))), stdout, stderr);
        });
        return build;
    }

    private static async Task<int> BuildAsync(BuildOptions options, TextWriter output, TextWriter error)
    {
        BuildReport report;
        // Stopped by SIGTERM or Ctrl+C: take the runner child along (the default handling then ends this process).
        using var onTerminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, _ => RunnerProcess.StopAll());
        using var onInterrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGINT, _ => RunnerProcess.StopAll());
        try
        {
            report = await BookBuilder.BuildAsync(options, output.WriteLine);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or Runner.NotebookFormatException)
        {
            error.WriteLine($"error: {e.Message}");
            return CommandLineTool.BadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The disk filled up, or the folder changed under the build: say so; the executed notebooks stay in the cache.
            error.WriteLine($"error: the book could not be written to {options.OutputFolder}: {e.Message} The executed notebooks are kept in " +
                            $"{options.CacheFolder}, so the next build only renders: free some space or choose another --output, and build again.");
            return 1;
        }
        output.WriteLine($"book: {report.IndexPage}");
        foreach (var failed in report.Notebooks.Where(n => n.Failure is not null))
            error.WriteLine($"error: {failed.Notebook} failed: {failed.Failure}");
        if (report.Explorer?.Failure is { } explorerFailure)
            error.WriteLine($"error: the explorer page could not be computed (the book has none): {explorerFailure}");
        return report.Succeeded ? 0 : 1;
    }

    private static bool Inside(string folder, string container)
    {
        string relative = Path.GetRelativePath(container, folder);
        return relative == "." || (!relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative));
    }

    /// <summary>Why the book cannot be written to <paramref name="outputFolder"/> (checked before any notebook runs), or null.</summary>
    private static string? OutputProblem(string outputFolder)
    {
        try
        {
            Directory.CreateDirectory(outputFolder);
            string probe = Path.Combine(outputFolder, $".camnb-write-test-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot write the book to {outputFolder} ({e.Message}). Choose another --output folder, or make this one writable; no notebook was run.";
        }
    }

    /// <summary>The nearest folder at or above the notebooks folder's parent that holds Directory.Packages.props; else that parent.</summary>
    public static string FindRepositoryRoot(string notebooksFolder)
    {
        string start = Path.GetDirectoryName(Path.GetFullPath(notebooksFolder).TrimEnd(Path.DirectorySeparatorChar))!;
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Directory.Packages.props"))) return folder.FullName;
        return start;
    }
}
