using System.Reflection;
using CamNotebooks.Tests.Notebooks;

namespace CamNotebooks.Tests.Book;

/// <summary>Small books built from fixture notebooks in throw-away repositories, so tests do not depend on the chapters.</summary>
internal static class BookFixtures
{
    /// <summary>The built book program (CamNotebooks.Book.dll).</summary>
    public static string BookAssembly { get; } =
        typeof(BookFixtures).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BookAssembly").Value!;

    /// <summary>The fixture notebooks folder of these tests.</summary>
    public static string FixtureFolder => Path.Combine(Repository.Root, "tests", "CamNotebooks.Tests", "Book", "Fixtures");

    /// <summary>Where screenshots are kept for people to look at.</summary>
    public static string ScreenshotFolder => Path.Combine(Repository.Root, "artifacts", "book-screenshots");

    /// <summary>
    /// A fresh repository in a temp folder, laid out like the real one (notebooks/, artifacts/notebook-lib/,
    /// Directory.Packages.props), holding the named fixtures (paths relative to Fixtures/; "00_setup.dib" is the real chapter).
    /// </summary>
    public static string CreateRepository(params string[] notebooks)
    {
        string root = Path.Combine(Path.GetTempPath(), "camnb-book-" + Guid.NewGuid().ToString("N"));
        string notebooksFolder = Path.Combine(root, "notebooks");
        Directory.CreateDirectory(notebooksFolder);
        File.Copy(Path.Combine(Repository.Root, "Directory.Packages.props"), Path.Combine(root, "Directory.Packages.props"));
        Repository.CopyNotebookLibrary(root);
        // The real chapters read photos from ../data: share the repository's data folder.
        Directory.CreateSymbolicLink(Path.Combine(root, "data"), Path.Combine(Repository.Root, "data"));
        foreach (string notebook in notebooks)
        {
            string source = notebook == "00_setup.dib" ? Path.Combine(Repository.Notebooks, notebook) : Path.Combine(FixtureFolder, notebook);
            string target = Path.Combine(notebooksFolder, notebook);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target);
        }
        return root;
    }

    /// <summary>
    /// Runs <c>CamNotebooks.Book build</c> on the repository at <paramref name="root"/>, into &lt;root&gt;/book, without the
    /// explorer page (its precomputation trains the classifier; ExplorerBrowserTests and RealBookTests cover it).
    /// </summary>
    public static ProcessRunner.Outcome Build(string root, params string[] extraArguments) =>
        ProcessRunner.Run("dotnet",
            ["exec", BookAssembly, "build", "--notebooks", Path.Combine(root, "notebooks"), "--output", Path.Combine(root, "book"), "--no-explorer", .. extraArguments],
            root, TimeSpan.FromMinutes(20));

    /// <summary>Every file of the book at <paramref name="bookFolder"/>, by relative path.</summary>
    public static SortedDictionary<string, byte[]> ReadAll(string bookFolder) => new(
        Directory.GetFiles(bookFolder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(bookFolder, f).Replace('\\', '/'), File.ReadAllBytes),
        StringComparer.Ordinal);
}

/// <summary>
/// The fixture book every read-only test shares, built once per test run: the real setup chapter, a chapter with every
/// output kind (Plotly.NET and XPlot charts, PNG, HTML table, stderr, a network loader), a small chapter, a failing
/// chapter and one exercise.
/// </summary>
internal static class SharedFixtureBook
{
    /// <summary>The fixtures of the shared book, in book order.</summary>
    public static readonly string[] Notebooks = ["00_setup.dib", "01_outputs.dib", "02_tiny.dib", "03_fails.dib", "exercises/01_first_exercise.dib"];

    private static readonly Lazy<(string Root, ProcessRunner.Outcome Outcome)> Built = new(() =>
    {
        string root = BookFixtures.CreateRepository(Notebooks);
        return (root, BookFixtures.Build(root));
    });

    /// <summary>The repository the shared book was built in.</summary>
    public static string Root => Built.Value.Root;

    /// <summary>The book folder.</summary>
    public static string Folder => Path.Combine(Built.Value.Root, "book");

    /// <summary>What the build printed and returned.</summary>
    public static ProcessRunner.Outcome Outcome => Built.Value.Outcome;
}
