using CamNotebooks.Book.Rendering;

namespace CamNotebooks.Book.Building;

/// <summary>A .dib notebook of the book, before it is executed.</summary>
/// <param name="FullPath">Absolute path of the .dib file.</param>
/// <param name="RelativePath">Path relative to the notebooks folder, forward slashes.</param>
/// <param name="Kind">Chapter (top level) or exercise (under exercises/).</param>
public sealed record NotebookSource(string FullPath, string RelativePath, PageKind Kind)
{
    /// <summary>The name of the exercise track's folder inside the notebooks folder.</summary>
    public const string ExercisesFolder = "exercises";

    /// <summary>Every .dib under <paramref name="notebooksFolder"/>: chapters first, then exercises, each in file-name order.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static IReadOnlyList<NotebookSource> Discover(string notebooksFolder)
    {
        string root = Path.GetFullPath(notebooksFolder);
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"The notebooks folder {root} does not exist. Pass the folder that holds the .dib chapters with --notebooks.");
        return Directory.GetFiles(root, "*.dib", SearchOption.AllDirectories)
            .Select(path =>
            {
                string relative = Path.GetRelativePath(root, path).Replace('\\', '/');
                var kind = relative.StartsWith(ExercisesFolder + "/", StringComparison.Ordinal) ? PageKind.Exercise : PageKind.Chapter;
                return new NotebookSource(path, relative, kind);
            })
            .OrderBy(n => n.Kind)
            .ThenBy(n => n.RelativePath, StringComparer.Ordinal)
            .ToList();
    }
}
