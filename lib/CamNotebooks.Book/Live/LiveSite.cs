using System.Text.RegularExpressions;
using CamNotebooks.Book.Building;
using CamNotebooks.Book.Notebooks;
using CamNotebooks.Book.Rendering;
using CamNotebooks.Runner;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;

namespace CamNotebooks.Book.Live;

/// <summary>
/// The notebooks around the live one, laid out as the book lays them out (chapters at the root, exercises/ and
/// exercises/solutions/ below it), so that every link of the live page leads somewhere: the live notebook is served live,
/// the others as pages that show their outputs from the last book build (or their source) and say how to run them live.
/// </summary>
public sealed partial class LiveSite
{
    private readonly Lazy<ExecutionCache?> _cache;

    /// <summary>The site around <paramref name="notebookPath"/>.</summary>
    public LiveSite(string notebookPath)
    {
        NotebookPath = Path.GetFullPath(notebookPath);
        Root = NotebooksRoot(NotebookPath);
        RelativePath = Path.GetRelativePath(Root, NotebookPath).Replace('\\', '/');
        RepositoryRoot = BookCommand.FindRepositoryRoot(Path.Combine(Root, "."));
        _cache = new(() =>
        {
            string folder = Path.Combine(RepositoryRoot, "artifacts", "book-cache");
            return Directory.Exists(folder) ? new ExecutionCache(folder, RepositoryRoot) : null;
        });
    }

    /// <summary>The live notebook's file.</summary>
    public string NotebookPath { get; }

    /// <summary>The folder the site's paths start from (the book's notebooks folder).</summary>
    public string Root { get; }

    /// <summary>The live notebook's path under <see cref="Root"/>, forward slashes.</summary>
    public string RelativePath { get; }

    /// <summary>The repository around the notebooks (where the book's cache of executed notebooks is).</summary>
    public string RepositoryRoot { get; }

    /// <summary>The live page's path on the server (<c>exercises/01_forward_hook.html</c>).</summary>
    public string PagePath => PageLinks.PagePath(RelativePath);

    /// <summary>
    /// The book's notebooks folder for a notebook: two levels up for exercises/solutions/x.dib, one for exercises/x.dib,
    /// else the notebook's own folder.
    /// </summary>
    public static string NotebooksRoot(string notebookPath)
    {
        var folder = new DirectoryInfo(Path.GetDirectoryName(Path.GetFullPath(notebookPath))!);
        if (folder.Name == "solutions" && folder.Parent is { Name: NotebookSource.ExercisesFolder, Parent: { } above }) return above.FullName;
        if (folder.Name == NotebookSource.ExercisesFolder && folder.Parent is { } parent) return parent.FullName;
        return folder.FullName;
    }

    /// <summary>The notebooks of the site in book order (chapters, then exercises); only three levels deep, so a notebook in a
    /// large folder does not make the server walk it all.</summary>
    public IReadOnlyList<NotebookSource> Notebooks()
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 2, IgnoreInaccessible = true };
        return Directory.EnumerateFiles(Root, "*.dib", options)
            .Select(path =>
            {
                string relative = Path.GetRelativePath(Root, path).Replace('\\', '/');
                var kind = relative.StartsWith(NotebookSource.ExercisesFolder + "/", StringComparison.Ordinal) ? PageKind.Exercise : PageKind.Chapter;
                return new NotebookSource(path, relative, kind);
            })
            .OrderBy(n => n.Kind)
            .ThenBy(n => n.RelativePath, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The notebook whose page is <paramref name="pagePath"/> (relative, forward slashes), or null.</summary>
    public NotebookSource? ForPage(string pagePath) =>
        Notebooks().FirstOrDefault(n => string.Equals(PageLinks.PagePath(n.RelativePath), pagePath, StringComparison.Ordinal));

    /// <summary>The notebook whose file is <paramref name="relativePath"/> (a .dib, or its .ipynb), or null.</summary>
    public NotebookSource? ForFile(string relativePath) =>
        Notebooks().FirstOrDefault(n => string.Equals(n.RelativePath, relativePath, StringComparison.Ordinal)
                                        || string.Equals(Path.ChangeExtension(n.RelativePath, ".ipynb"), relativePath, StringComparison.Ordinal));

    /// <summary>The page of <paramref name="notebook"/> as the book places it (for titles and the pager).</summary>
    public static BookPage PageOf(NotebookSource notebook) =>
        new(notebook.RelativePath, notebook.Kind, TitleOf(notebook.FullPath) ?? BookPage.TitleFromFileName(notebook.RelativePath), null);

    /// <summary>The pages before and after <paramref name="relativePath"/> in book order.</summary>
    public (BookPage? Previous, BookPage? Next) Neighbours(string relativePath)
    {
        var all = Notebooks();
        int i = all.ToList().FindIndex(n => n.RelativePath == relativePath);
        if (i < 0) return (null, null);
        return (i > 0 ? PageOf(all[i - 1]) : null, i + 1 < all.Count ? PageOf(all[i + 1]) : null);
    }

    /// <summary>Every page, for the index.</summary>
    public IReadOnlyList<BookPage> Pages() => Notebooks().Select(PageOf).ToList();

    /// <summary>
    /// Another notebook's page: its outputs from the book's cache when a build ran it, else its cells without outputs;
    /// a note at the top says it is not live and how to make it so.
    /// </summary>
    public string StaticPage(NotebookSource notebook, BookSettings settings, string livePagePath)
    {
        var (executed, origin, ran) = Executed(notebook);
        var content = PageRenderer.RenderCells(executed, Path.GetDirectoryName(notebook.FullPath)) with { Executed = ran };
        string? failure = executed.FirstError is { } error ? $"cell {error.CellNumber} failed: {error.Error.Message.Split('\n')[0]}" : null;
        var page = new BookPage(notebook.RelativePath, notebook.Kind, content.Title ?? PageOf(notebook).Title, failure);
        var (previous, next) = Neighbours(notebook.RelativePath);
        string back = Html.Escape(PageLinks.Relative(page.PagePath, livePagePath));
        var note = new PageRenderer.PageNote("not-live", "<p><strong>Not live.</strong> " +
            $"This page shows {Html.Escape(origin)}. Only <a href=\"{back}\">{Html.Escape(RelativePath)}</a> runs live here. " +
            "To edit and run this one live, stop the loop (Ctrl-C) and start it on this notebook:</p>" +
            $"<pre style=\"white-space:pre-wrap\"><code>{Html.Escape(LiveCommandLine(notebook))}</code></pre>");
        return PageRenderer.NotebookPage(settings, page, content, previous, next, note: note);
    }

    /// <summary>Another notebook as .ipynb: the book's executed copy when there is one, else its cells without outputs.</summary>
    public string Ipynb(NotebookSource notebook)
    {
        if (CachedCopy(notebook) is { } cached) return File.ReadAllText(cached.Path);
        return Unexecuted(notebook).ToJupyterJson("C#");
    }

    /// <summary>The notebook to show for <paramref name="notebook"/>, what it is, and whether a run produced it.</summary>
    private (ExecutedNotebook Notebook, string Origin, bool Ran) Executed(NotebookSource notebook)
    {
        if (CachedCopy(notebook) is { } cached)
        {
            try
            {
                return (ExecutedNotebook.Load(cached.Path), cached.Fresh
                    ? "the outputs of its last run by the book build"
                    : "the outputs of an earlier run by the book build (the notebook or the library has changed since)", true);
            }
            catch (NotebookFormatException)
            {
                // A damaged copy: show the source instead.
            }
        }
        var document = Unexecuted(notebook);
        return (ExecutedNotebook.From(document), "its cells without outputs (the book build has not run it yet)", false);
    }

    private (string Path, bool Fresh)? CachedCopy(NotebookSource notebook)
    {
        if (_cache.Value is not { } cache) return null;
        string path = cache.ExecutedPath(notebook);
        if (!File.Exists(path)) return null;
        return (path, cache.IsFresh(notebook, cache.KeyFor(notebook)));
    }

    private static InteractiveDocument Unexecuted(NotebookSource notebook)
    {
        var source = NotebookReader.LoadDib(notebook.FullPath);
        var document = new InteractiveDocument();
        for (int i = 0; i < source.Elements.Count; i++)
            document.Add(new InteractiveDocumentElement(source.Elements[i].Contents, source.Elements[i].KernelName) { Id = $"cell-{i + 1}" });
        return document;
    }

    private string LiveCommandLine(NotebookSource notebook)
    {
        string path = Path.GetRelativePath(RepositoryRoot, notebook.FullPath).Replace('\\', '/');
        return File.Exists(Path.Combine(RepositoryRoot, "lib", "CamNotebooks.Book", "CamNotebooks.Book.csproj"))
            ? $"dotnet run --project lib/CamNotebooks.Book -c Release -- live {path}"
            : $"CamNotebooks.Book live {notebook.FullPath}";
    }

    /// <summary>The first "# " heading of a .dib's markdown, or null.</summary>
    private static string? TitleOf(string dib)
    {
        try
        {
            return Heading().Match(File.ReadAllText(dib)) is { Success: true } m ? m.Groups[1].Value.Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^# (.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();
}
