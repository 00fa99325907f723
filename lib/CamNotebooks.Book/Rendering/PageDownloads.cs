namespace CamNotebooks.Book.Rendering;

/// <summary>The line at the top of a notebook page that links the files beside it: the executed .ipynb and the .dib source.</summary>
public static class PageDownloads
{
    /// <summary>
    /// The HTML of the download line for <paramref name="page"/>; when the page <paramref name="drawsCharts"/>, it also says
    /// where the .ipynb's charts draw, since they are HTML with plotly.js that static viewers do not run. When the notebook
    /// was not <paramref name="executed"/> (it could not be run, or no build ran it), its .ipynb is offered as one without outputs.
    /// </summary>
    public static string Html(BookPage page, bool drawsCharts, bool executed = true)
    {
        string file = Rendering.Html.Escape(Path.GetFileName(page.NotebookPath));
        string ipynb = Rendering.Html.Escape(Path.ChangeExtension(Path.GetFileName(page.NotebookPath), ".ipynb"));
        string html = "<p class=\"downloads\"><small>Download: " +
                      $"<a href=\"{ipynb}\" download type=\"application/x-ipynb+json\" title=\"{ipynb}\">notebook {(executed ? "with" : "without")} outputs (.ipynb)</a> · " +
                      $"<a href=\"{file}\" download type=\"text/plain\" title=\"{file}\">source (.dib)</a>";
        if (drawsCharts)
            html += ". Its charts draw where a viewer runs the notebook's scripts (JupyterLab after <code>jupyter trust</code>, " +
                    "nbconvert and nbviewer), not in GitHub's preview.";
        return html + "</small></p>\n";
    }
}
