namespace CamNotebooks.Book.Rendering;

/// <summary>Where each notebook's page goes, and how pages link to each other.</summary>
public static class PageLinks
{
    /// <summary>The page of a notebook: its path relative to the notebooks folder with .html for .dib, with forward slashes.</summary>
    public static string PagePath(string notebookRelativePath) =>
        Path.ChangeExtension(notebookRelativePath.Replace('\\', '/'), ".html");

    /// <summary>For a relative link to a .dib or .ipynb (with optional #anchor), the same link to its page; otherwise null.</summary>
    public static string? NotebookToPage(string url)
    {
        if (url.Length == 0 || url.Contains(':', StringComparison.Ordinal)) return null;
        int hash = url.IndexOf('#');
        string path = hash < 0 ? url : url[..hash];
        string anchor = hash < 0 ? "" : url[hash..];
        return path.EndsWith(".dib", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".ipynb", StringComparison.OrdinalIgnoreCase)
            ? Path.ChangeExtension(path, ".html").Replace('\\', '/') + anchor
            : null;
    }

    /// <summary>The relative URL from the page at <paramref name="fromPage"/> to <paramref name="toPath"/> (both relative to the book root).</summary>
    public static string Relative(string fromPage, string toPath)
    {
        int depth = fromPage.Count(c => c == '/');
        return string.Concat(Enumerable.Repeat("../", depth)) + toPath;
    }
}
