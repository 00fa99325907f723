using CamNotebooks.Book.Building;
using CamNotebooks.Book.Rendering;

namespace CamNotebooks.Book;

/// <summary>The book's command line.</summary>
public static class BookCommand
{
    private const string Usage = """
        usage: CamNotebooks.Book build [--notebooks <folder>] [--output <folder>] [options]
          Executes the notebooks that changed since the last build (one runner process each), renders every notebook
          to an offline HTML page, and writes the book with its index, style sheet and plotly.js.
            --notebooks <folder>   the .dib chapters, with exercises in <folder>/exercises (default: notebooks)
            --output <folder>      where the book goes (default: out/book)
            --cache <folder>       executed notebooks kept between builds (default: <root>/artifacts/book-cache)
            --root <folder>        the repository (default: the nearest folder above the notebooks with Directory.Packages.props)
            --runner <dll>         CamNotebooks.Runner.dll (default: the one built with this program)
            --title <text>         the book's title (default: CamNotebooks)
            --timeout <minutes>    how long one notebook may run (default: 30)
          Exit code: 0 when every notebook ran through, 1 when one failed (its page shows the error), 2 on bad input.
        """ + "\n" + Live.LiveCommand.Usage + Jupyter.IpynbCommand.Usage;

    /// <summary>Parses <paramref name="args"/>, builds, and returns the process exit code.</summary>
    public static async Task<int> MainAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length == 0) return Fail(error, "no command given.");
        if (args[0] is "-h" or "--help" or "help")
        {
            output.WriteLine(Usage);
            return 0;
        }
        if (args[0] == "live") return await Live.LiveCommand.MainAsync(args[1..], output, error);
        if (args[0] == "ipynb") return Jupyter.IpynbCommand.Run(args[1..], output, error);
        if (args[0] != "build") return Fail(error, $"unknown command '{args[0]}'.");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] known = ["--notebooks", "--output", "--cache", "--root", "--runner", "--title", "--timeout"];
        for (int i = 1; i < args.Length; i++)
        {
            if (!known.Contains(args[i])) return Fail(error, $"unknown option '{args[i]}'.");
            if (i + 1 >= args.Length) return Fail(error, $"{args[i]} needs a value.");
            values[args[i]] = args[++i];
        }
        string notebooks = values.GetValueOrDefault("--notebooks", "notebooks");
        if (!Directory.Exists(notebooks)) return Fail(error, $"the notebooks folder '{Path.GetFullPath(notebooks)}' does not exist.");
        string root = values.TryGetValue("--root", out string? givenRoot) ? Path.GetFullPath(givenRoot) : FindRepositoryRoot(notebooks);
        int timeoutMinutes = 30;
        if (values.TryGetValue("--timeout", out string? timeoutText) && (!int.TryParse(timeoutText, out timeoutMinutes) || timeoutMinutes <= 0))
            return Fail(error, $"--timeout takes a positive number of minutes, not '{timeoutText}'.");
        var options = new BuildOptions(
            NotebooksFolder: Path.GetFullPath(notebooks),
            OutputFolder: Path.GetFullPath(values.GetValueOrDefault("--output", Path.Combine("out", "book"))),
            RepositoryRoot: root,
            CacheFolder: Path.GetFullPath(values.GetValueOrDefault("--cache", Path.Combine(root, "artifacts", "book-cache"))),
            RunnerAssembly: Path.GetFullPath(values.GetValueOrDefault("--runner", RunnerProcess.DefaultRunnerAssembly)),
            Settings: values.TryGetValue("--title", out string? title) ? BookSettings.Default with { Title = title } : BookSettings.Default,
            NotebookTimeout: TimeSpan.FromMinutes(timeoutMinutes));

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
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
        {
            error.WriteLine($"error: {e.Message}");
            return 2;
        }
        output.WriteLine($"book: {report.IndexPage}");
        foreach (var failed in report.Notebooks.Where(n => n.Failure is not null))
            error.WriteLine($"error: {failed.Notebook} failed: {failed.Failure}");
        return report.Succeeded ? 0 : 1;
    }

    /// <summary>The nearest folder at or above the notebooks folder's parent that holds Directory.Packages.props; else that parent.</summary>
    public static string FindRepositoryRoot(string notebooksFolder)
    {
        string start = Path.GetDirectoryName(Path.GetFullPath(notebooksFolder).TrimEnd(Path.DirectorySeparatorChar))!;
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Directory.Packages.props"))) return folder.FullName;
        return start;
    }

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine($"error: {message}");
        error.WriteLine(Usage);
        return 2;
    }
}
