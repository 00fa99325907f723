namespace CamNotebooks.Book.Rendering;

/// <summary>Which track of the book a notebook belongs to.</summary>
public enum PageKind
{
    /// <summary>A chapter: notebooks/NN_name.dib.</summary>
    Chapter,

    /// <summary>An exercise: notebooks/exercises/NN_name.dib.</summary>
    Exercise,
}

/// <summary>A notebook's place in the book.</summary>
/// <param name="NotebookPath">Path of the notebook relative to the notebooks folder, with forward slashes (e.g. <c>exercises/01_hooks.dib</c>).</param>
/// <param name="Kind">Chapter or exercise.</param>
/// <param name="Title">The notebook's title (its first # heading, else its file name).</param>
/// <param name="Failure">Why the notebook failed (first failing cell and message), or null when it ran through.</param>
public sealed record BookPage(string NotebookPath, PageKind Kind, string Title, string? Failure)
{
    /// <summary>The page's path relative to the book root (<c>exercises/01_hooks.html</c>).</summary>
    public string PagePath => PageLinks.PagePath(NotebookPath);

    /// <summary>A title made from a file name: <c>02_class_activation_maps.dib</c> gives "02 class activation maps".</summary>
    public static string TitleFromFileName(string notebookPath) =>
        Path.GetFileNameWithoutExtension(notebookPath).Replace('_', ' ').Replace('-', ' ');
}
