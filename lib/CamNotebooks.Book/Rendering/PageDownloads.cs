namespace CamNotebooks.Book.Rendering;

/// <summary>The line at the top of a notebook page that links the files beside it: the executed .ipynb and the .dib source.</summary>
public static class PageDownloads
{
    /// <summary>
    /// The HTML of the download line for <paramref name="page"/>; when the page <paramref name="drawsCharts"/>, it also says
    /// where the .ipynb's charts draw, since they are HTML with plotly.js that static viewers do not run.
    /// </summary>
    public static string Html(BookPage page, bool drawsCharts)
    {
        string file = Path.GetFileName(page.NotebookPath);
        string ipynb = Path.ChangeExtension(file, ".ipynb");
        string html = "<p class=\"downloads\">Download: " +
                      $"<a href=\"{Rendering.Html.Escape(ipynb)}\" download type=\"application/x-ipynb+json\">notebook with outputs ({Rendering.Html.Escape(ipynb)})</a> · " +
                      $"<a href=\"{Rendering.Html.Escape(file)}\" download type=\"text/plain\">source ({Rendering.Html.Escape(file)})</a>";
        if (drawsCharts)
            html += " <span class=\"downloads-note\">The .ipynb's charts are HTML that carries plotly.js: they draw where a viewer runs a " +
                    "notebook's scripts (nbconvert's HTML, as nbviewer shows it; JupyterLab once you trust the notebook with " +
                    "<code>jupyter trust</code>); GitHub's preview runs no scripts and shows the pictures and text but not the charts.</span>";
        return html + "</p>\n";
    }
}
