using System.Diagnostics;
using System.Text;
using CamNotebooks.Book.Notebooks;
using CamNotebooks.Book.Rendering;

namespace CamNotebooks.Book.Building;

/// <summary>What a book build needs.</summary>
/// <param name="NotebooksFolder">The folder of .dib chapters (and exercises/).</param>
/// <param name="OutputFolder">Where the pages go.</param>
/// <param name="RepositoryRoot">The repository whose library, package versions and data/ the notebooks use.</param>
/// <param name="CacheFolder">Where executed notebooks are kept between builds.</param>
/// <param name="RunnerAssembly">CamNotebooks.Runner.dll.</param>
/// <param name="Settings">The book's title.</param>
/// <param name="NotebookTimeout">How long one notebook may run.</param>
/// <param name="Explorer">What the "Which layer, which method?" page is computed from; null: the book has no explorer.</param>
public sealed record BuildOptions(
    string NotebooksFolder,
    string OutputFolder,
    string RepositoryRoot,
    string CacheFolder,
    string RunnerAssembly,
    BookSettings Settings,
    TimeSpan NotebookTimeout,
    ExplorerSettings? Explorer = null);

/// <summary>What happened to one notebook in a build.</summary>
/// <param name="Notebook">Its path relative to the notebooks folder.</param>
/// <param name="Reused">True when its executed copy came from the cache.</param>
/// <param name="Failure">Why it failed, or null.</param>
/// <param name="Elapsed">Time spent executing it (zero when reused).</param>
public sealed record NotebookBuildResult(string Notebook, bool Reused, string? Failure, TimeSpan Elapsed);

/// <summary>The outcome of a build.</summary>
/// <param name="IndexPage">Absolute path of index.html.</param>
/// <param name="Notebooks">Each notebook's result, in book order.</param>
/// <param name="PagesWritten">How many files changed on disk (unchanged pages are not rewritten).</param>
/// <param name="Elapsed">Wall time of the whole build.</param>
/// <param name="Explorer">How the explorer step went; null when the book has no explorer.</param>
public sealed record BuildReport(string IndexPage, IReadOnlyList<NotebookBuildResult> Notebooks, int PagesWritten, TimeSpan Elapsed,
    ExplorerOutcome? Explorer = null)
{
    /// <summary>True when every notebook ran through, and the explorer too when there is one.</summary>
    public bool Succeeded => Notebooks.All(n => n.Failure is null) && Explorer?.Failure is null;
}

/// <summary>Builds the book: executes the notebooks that changed (through the runner), renders every page, writes the index and assets.</summary>
public static class BookBuilder
{
    /// <summary>Runs a whole build; <paramref name="log"/> receives one line per step.</summary>
    /// <exception cref="DirectoryNotFoundException">The notebooks folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A notebook must run but the runner is not built.</exception>
    public static async Task<BuildReport> BuildAsync(BuildOptions options, Action<string> log)
    {
        var stopwatch = Stopwatch.StartNew();
        var sources = NotebookSource.Discover(options.NotebooksFolder);
        if (sources.Count == 0)
            throw new FileNotFoundException($"{Path.GetFullPath(options.NotebooksFolder)} holds no .dib notebooks: nothing to build.");
        var cache = new ExecutionCache(options.CacheFolder, options.RepositoryRoot);
        log($"book: {Count(sources.Count(s => s.Kind == PageKind.Chapter), "chapter")}, {Count(sources.Count(s => s.Kind == PageKind.Exercise), "exercise")} in {Path.GetFullPath(options.NotebooksFolder)}");

        var executed = new List<(NotebookSource Source, string? Ipynb, string? Problem, NotebookBuildResult Result)>();
        foreach (var source in sources)
        {
            string key = cache.KeyFor(source);
            if (cache.IsFresh(source, key))
            {
                log($"  reused   {source.RelativePath} (unchanged since its last successful run)");
                executed.Add((source, cache.ExecutedPath(source), null, new NotebookBuildResult(source.RelativePath, true, null, TimeSpan.Zero)));
                continue;
            }
            log($"  running  {source.RelativePath}");
            string scratch = cache.ScratchFolder();
            var outcome = await RunnerProcess.RunAsync(options.RunnerAssembly, source, scratch, options.RepositoryRoot, options.NotebookTimeout,
                line => log($"           {line.Trim()}"));
            // Success needs both: exit code 0 and the executed notebook. A runner that exits 0 without it (a cell that called
            // Environment.Exit, say) produced nothing to show.
            string? failure = outcome.ExitCode == 0 && outcome.ExecutedNotebook is not null ? null : FailureSummary(outcome);
            string? ipynb = null;
            string? problem = null;
            // Whatever the exit code (a cell failed, the runner was stopped at --timeout or crashed), what it wrote is kept and
            // shown; only a clean run is reused by the next build.
            if (outcome.ExecutedNotebook is not null)
                ipynb = cache.Store(source, outcome.ExecutedNotebook, key, succeeded: outcome.ExitCode == 0);
            else
            {
                cache.Forget(source);
                problem = $"The runner stopped with exit code {outcome.ExitCode} before writing the executed notebook.\n{outcome.StandardError}".TrimEnd();
            }
            cache.ReleaseScratchFolder(scratch);
            log(failure is null
                ? $"  ran      {source.RelativePath}: ok in {outcome.Elapsed.TotalSeconds:F1} s"
                : $"  FAILED   {source.RelativePath} after {outcome.Elapsed.TotalSeconds:F1} s: {failure}");
            executed.Add((source, ipynb, problem, new NotebookBuildResult(source.RelativePath, false, failure, outcome.Elapsed)));
        }

        var explorer = options.Explorer is { } explorerSettings ? await ExplorerBuild.BuildAsync(options, explorerSettings, log) : null;

        var renderWatch = Stopwatch.StartNew();
        var rendered = new List<(BookPage Page, PageRenderer.RenderedNotebook Content)>();
        foreach (var (source, ipynb, problem, result) in executed)
        {
            string fallbackTitle = BookPage.TitleFromFileName(source.RelativePath);
            PageRenderer.RenderedNotebook content = ipynb is not null
                ? PageRenderer.RenderCells(ExecutedNotebook.Load(ipynb), Path.GetDirectoryName(source.FullPath))
                : PageRenderer.ProblemContent(fallbackTitle, problem ?? result.Failure ?? "unknown failure");
            rendered.Add((new BookPage(source.RelativePath, source.Kind, content.Title ?? fallbackTitle, result.Failure), content));
        }
        // Pages, assets, the explorer and downloads go in together: written beside the book first, swapped in only when all are there.
        var downloads = executed.Select(e => (e.Source, e.Ipynb, e.Problem ?? e.Result.Failure)).ToList();
        var pageFiles = BookFiles(options.Settings, rendered, explorer?.Site);
        var downloadFiles = NotebookDownloads.Files(downloads);
        var all = new SortedDictionary<string, byte[]>(pageFiles, StringComparer.Ordinal);
        foreach (var (name, bytes) in downloadFiles) all[name] = bytes;
        int written = BookFolder.Replace(options.OutputFolder, all);
        written += RemoveStalePages(options.OutputFolder, pageFiles);
        written += NotebookDownloads.RemoveStale(options.OutputFolder, downloadFiles);
        string index = Path.GetFullPath(Path.Combine(options.OutputFolder, "index.html"));
        var results = executed.Select(e => e.Result).ToList();
        log($"rendered {rendered.Count} pages and the index in {renderWatch.Elapsed.TotalSeconds:F1} s ({written} files changed)");
        if (explorer?.Site is { } site)
            log($"explorer: {ExplorerSite.PagePath} with {site.Maps.Count} maps adds {ExplorerSize(options.OutputFolder) / 1024.0:F0} KB to the book");
        log($"executed {results.Count(r => !r.Reused)}, reused {results.Count(r => r.Reused)}, failed {results.Count(r => r.Failure is not null)}; {stopwatch.Elapsed.TotalSeconds:F1} s in all");
        return new BuildReport(index, results, written, stopwatch.Elapsed, explorer);
    }

    /// <summary>Bytes of the explorer page and its pictures in the book at <paramref name="outputFolder"/>.</summary>
    public static long ExplorerSize(string outputFolder)
    {
        string root = Path.GetFullPath(outputFolder);
        string images = Path.Combine(root, ExplorerSite.ImageFolder);
        long size = File.Exists(Path.Combine(root, ExplorerSite.PagePath)) ? new FileInfo(Path.Combine(root, ExplorerSite.PagePath)).Length : 0;
        return size + (Directory.Exists(images) ? Directory.GetFiles(images).Sum(f => new FileInfo(f).Length) : 0);
    }

    /// <summary>
    /// Writes the pages, the index, the explorer (when <paramref name="explorer"/> is given) and the assets (as a whole, see
    /// <see cref="BookFolder"/>); deletes pages of notebooks that no longer exist and pictures of an earlier explorer.
    /// Returns the number of files changed.
    /// </summary>
    public static int WriteBook(string outputFolder, BookSettings settings, IReadOnlyList<(BookPage Page, PageRenderer.RenderedNotebook Content)> rendered,
        ExplorerSite? explorer = null)
    {
        var files = BookFiles(settings, rendered, explorer);
        return BookFolder.Replace(outputFolder, files) + RemoveStalePages(outputFolder, files);
    }

    /// <summary>The pages, the index and the assets, by relative path.</summary>
    private static SortedDictionary<string, byte[]> BookFiles(BookSettings settings, IReadOnlyList<(BookPage Page, PageRenderer.RenderedNotebook Content)> rendered,
        ExplorerSite? explorer)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        var utf8 = new UTF8Encoding(false);
        var pages = rendered.Select(r => r.Page).ToList();
        for (int i = 0; i < rendered.Count; i++)
        {
            var (page, content) = rendered[i];
            string html = PageRenderer.NotebookPage(settings, page, content, i > 0 ? pages[i - 1] : null, i + 1 < pages.Count ? pages[i + 1] : null,
                linkExplorer: explorer is not null && settings.ExplorerLinkedFrom.Contains(page.NotebookPath));
            files[page.PagePath] = utf8.GetBytes(html);
        }
        files["index.html"] = utf8.GetBytes(PageRenderer.IndexPage(settings, pages, explorer is not null));
        if (explorer is not null)
        {
            files[ExplorerSite.PagePath] = utf8.GetBytes(ExplorerPage.Render(settings, explorer));
            foreach (var (path, bytes) in explorer.Images()) files[path] = bytes;
        }
        foreach (var (name, bytes) in BookAssets.Files()) files[name] = bytes;
        return files;
    }

    /// <summary>Deletes the pages this program wrote that are not in <paramref name="files"/>; returns how many.</summary>
    private static int RemoveStalePages(string outputFolder, IDictionary<string, byte[]> files)
    {
        string root = Path.GetFullPath(outputFolder);
        int changed = 0;
        // The explorer's folder is the book's own: pictures of an earlier explorer go.
        string pictures = Path.Combine(root, ExplorerSite.ImageFolder);
        if (Directory.Exists(pictures))
            foreach (string stale in Directory.GetFiles(pictures, "*.jpg"))
                if (!files.ContainsKey(Path.GetRelativePath(root, stale).Replace('\\', '/')))
                {
                    File.Delete(stale);
                    changed++;
                }
        foreach (string stale in Directory.GetFiles(root, "*.html", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(root, stale).Replace('\\', '/');
            if (files.ContainsKey(relative)) continue;
            using (var reader = new StreamReader(stale))
            {
                // Only pages this program wrote are removed: the output folder may hold other files.
                char[] head = new char[1024];
                int read = reader.ReadBlock(head, 0, head.Length);
                if (!new string(head, 0, read).Contains(PageRenderer.GeneratorMeta, StringComparison.Ordinal)) continue;
            }
            File.Delete(stale);
            changed++;
        }
        return changed;
    }

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static string FailureSummary(RunnerOutcome outcome)
    {
        if (outcome.ExitCode == 0 && outcome.ExecutedNotebook is null)
            return "the runner exited with code 0 without writing the executed notebook (did a cell end the process?)";
        // The runner's last "error:" line names the notebook, the cell, its first line and the message.
        var lines = outcome.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string? error = lines.LastOrDefault(l => l.StartsWith("error:", StringComparison.Ordinal));
        string summary = error is not null ? error["error:".Length..].Trim()
            : lines.Length > 0 ? lines[^1]
            : $"the runner exited with code {outcome.ExitCode}";
        // Exit codes the runner never chooses itself: it crashed or was killed.
        if (outcome.ExitCode is not (0 or 1 or 2 or 130 or 143 or RunnerProcess.TimedOut))
            summary = $"the runner ended with exit code {outcome.ExitCode}{(outcome.ExitCode == 139 ? " (a segmentation fault)" : outcome.ExitCode == 137 ? " (killed)" : "")}" +
                      $"{(outcome.ExecutedNotebook is null ? "" : "; the cells it finished are shown")}: {summary}";
        return summary;
    }
}
