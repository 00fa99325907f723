using CamNotebooks.Book.Rendering;

namespace CamNotebooks.Book.Live;

/// <summary>
/// The live page: the book's page of the notebook as it stands, plus a status bar and a small script that listens for
/// changes (server-sent events from the same local server) and swaps in the cells whose HTML changed. The book's
/// renderer writes it all, given the live parts (<see cref="PageRenderer.LiveParts"/>).
/// </summary>
public static class LivePage
{
    /// <summary>The script's path on the local server.</summary>
    public const string ScriptPath = "camnb-live.js";

    /// <summary>The path of the server's event stream, which the page names to the script.</summary>
    public const string EventsPath = "/events";

    /// <summary>The page of <paramref name="session"/>'s notebook, rendered by the book's renderer, with the live additions;
    /// its place, previous and next pages are those of the book around it (<paramref name="site"/>).</summary>
    public static string Render(LiveSession session, LiveSite site, BookSettings settings)
    {
        var status = session.Status;
        var notebook = session.ToExecutedNotebook();
        var content = PageRenderer.RenderCells(notebook, Path.GetDirectoryName(session.NotebookPath));
        // A chart may appear with the next save: always load plotly.js.
        content = content with { DrawsCharts = true };
        string? failure = notebook.FirstError is { } error ? $"cell {error.CellNumber} failed: {error.Error.Message.Split('\n')[0]}" : null;
        var kind = site.RelativePath.StartsWith(Building.NotebookSource.ExercisesFolder + "/", StringComparison.Ordinal) ? PageKind.Exercise : PageKind.Chapter;
        var page = new BookPage(site.RelativePath, kind, content.Title ?? BookPage.TitleFromFileName(site.RelativePath), failure);
        var (previous, next) = site.Neighbours(site.RelativePath);
        // A fresh nonce for each rendering: the live script gives it to the scripts of the cells it swaps in.
        string nonce = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var live = new PageRenderer.LiveParts(nonce, "/" + ScriptPath, EventsPath, status.Version, status.Message, StatusClass(status));
        return PageRenderer.NotebookPage(settings with { Title = $"{settings.Title} (live)" }, page, content, previous, next, live: live);
    }

    /// <summary>The status bar's class: busy, problem or ready.</summary>
    public static string StatusClass(LiveStatus status) => status.Busy ? "busy" : status.Problem ? "problem" : "ready";

    /// <summary>The page's script (Assets/live.js): on each event it fetches the page again and replaces only the cells
    /// whose HTML changed (re-running their scripts, so charts draw); cells that did not change keep their DOM.</summary>
    public static string Script => PageScripts.Live;
}
