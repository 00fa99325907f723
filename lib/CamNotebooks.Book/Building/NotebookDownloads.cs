using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;

namespace CamNotebooks.Book.Building;

/// <summary>
/// Puts each notebook's files beside its page, so the book is also a place to download them: the executed notebook as
/// .ipynb with every output (what Jupyter, VS Code's Jupyter support and notebook viewers open) and the .dib source.
/// Both name the library's set-up file and <c>data/</c> by the absolute paths of the checkout that built the book, so a
/// copy runs from any folder of that machine (<see cref="ForAnyFolder"/>); the repository's own notebooks keep their
/// relative first line.
/// </summary>
public static partial class NotebookDownloads
{
    /// <summary>The metadata key that marks an .ipynb this program wrote (so a rebuild may delete its own stale copies).</summary>
    public const string MetadataKey = "camnotebooks";

    /// <summary>
    /// Writes &lt;page&gt;.ipynb and &lt;page&gt;.dib for every notebook into <paramref name="outputFolder"/> (only files whose
    /// content changed), removes copies of notebooks that no longer exist, and returns the number of files changed.
    /// </summary>
    /// <param name="outputFolder">The book folder.</param>
    /// <param name="notebooks">Each notebook, its executed .ipynb (null when it could not be run) and why it could not.</param>
    public static int Write(string outputFolder, IEnumerable<(NotebookSource Source, string? ExecutedNotebook, string? Problem)> notebooks)
    {
        var files = Files(notebooks);
        return BookFolder.Replace(outputFolder, files) + RemoveStale(outputFolder, files);
    }

    /// <summary>&lt;page&gt;.ipynb and &lt;page&gt;.dib for every notebook, by relative path.</summary>
    internal static SortedDictionary<string, byte[]> Files(IEnumerable<(NotebookSource Source, string? ExecutedNotebook, string? Problem)> notebooks)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (source, executed, problem) in notebooks)
        {
            string folder = Path.GetDirectoryName(Path.GetFullPath(source.FullPath))!;
            string json = executed is not null
                ? Mark(File.ReadAllText(executed), source.RelativePath, folder)
                : ProblemNotebook(source.RelativePath, problem ?? "the notebook could not be run");
            files[Path.ChangeExtension(source.RelativePath, ".ipynb").Replace('\\', '/')] = new UTF8Encoding(false).GetBytes(json);
            files[source.RelativePath.Replace('\\', '/')] = new UTF8Encoding(false).GetBytes(ForAnyFolder(File.ReadAllText(source.FullPath), folder));
        }
        return files;
    }

    /// <summary>Removes copies of notebooks that are not in <paramref name="files"/>; returns how many files went.</summary>
    internal static int RemoveStale(string outputFolder, IDictionary<string, byte[]> files)
    {
        string root = Path.GetFullPath(outputFolder);
        // Only our own copies go: an .ipynb we marked, and the .dib beside it. Decide for all before deleting any.
        var stale = Directory.GetFiles(root, "*.ipynb", SearchOption.AllDirectories)
            .Where(ipynb => !files.ContainsKey(Relative(root, ipynb)) && IsMarked(ipynb))
            .SelectMany(ipynb => new[] { ipynb, Path.ChangeExtension(ipynb, ".dib") })
            .Where(path => File.Exists(path) && !files.ContainsKey(Relative(root, path)))
            .ToList();
        foreach (string path in stale) File.Delete(path);
        return stale.Count;
    }

    /// <summary>
    /// The executed notebook with its source recorded in the metadata; outputs are kept as they are, and when
    /// <paramref name="notebookFolder"/> is given each code cell goes through <see cref="ForAnyFolder"/>.
    /// </summary>
    public static string Mark(string ipynbJson, string notebookPath, string? notebookFolder = null)
    {
        var notebook = JsonNode.Parse(ipynbJson)?.AsObject() ?? throw new InvalidDataException($"The executed copy of {notebookPath} is not a JSON object.");
        if (notebookFolder is not null && notebook["cells"] is JsonArray cells)
            foreach (var cell in cells.OfType<JsonObject>().Where(c => (string?)c["cell_type"] == "code"))
            {
                string code = cell["source"] switch
                {
                    JsonArray lines => string.Concat(lines.Select(line => (string?)line)),
                    JsonValue text => (string?)text ?? "",
                    _ => "",
                };
                string rewritten = ForAnyFolder(code, notebookFolder);
                if (rewritten != code)
                    cell["source"] = new JsonArray(LinesOf(rewritten).Select(line => (JsonNode?)JsonValue.Create(line)).ToArray());
            }
        var metadata = notebook["metadata"] as JsonObject ?? new JsonObject();
        notebook["metadata"] = metadata;
        metadata[MetadataKey] = new JsonObject { ["source"] = $"notebooks/{notebookPath}" };
        return notebook.ToJsonString(Indented) + "\n";
    }

    /// <summary>A valid notebook for one that could not be run at all: a markdown cell saying why.</summary>
    public static string ProblemNotebook(string notebookPath, string problem)
    {
        string text = $"# {Path.GetFileNameWithoutExtension(notebookPath)}\n\nThis notebook could not be executed when the book was built:\n\n```\n{problem}\n```\n\nIts source is `notebooks/{notebookPath}`.";
        var notebook = new JsonObject
        {
            ["cells"] = new JsonArray(new JsonObject
            {
                ["cell_type"] = "markdown",
                ["id"] = "problem",
                ["metadata"] = new JsonObject(),
                ["source"] = text,
            }),
            ["metadata"] = new JsonObject
            {
                ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
                ["language_info"] = new JsonObject { ["name"] = "C#" },
                [MetadataKey] = new JsonObject { ["source"] = $"notebooks/{notebookPath}" },
            },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        return notebook.ToJsonString(Indented) + "\n";
    }

    /// <summary>
    /// A notebook's code (a cell, or a whole .dib) as the book's downloads carry it: the set-up import
    /// (<c>#!import ../artifacts/notebook-lib/setup.csx</c>) names the set-up file by its absolute path, after a line
    /// that fails with one sentence (what is missing, the command to run and where) when that file is not there; and
    /// string literals that start with <c>../data/</c> (any depth) name the data folder by its absolute path.
    /// </summary>
    /// <param name="code">The code.</param>
    /// <param name="notebookFolder">The folder of the notebook in the checkout that builds the book (relative paths resolve against it).</param>
    public static string ForAnyFolder(string code, string notebookFolder)
    {
        code = SetupImportLine().Replace(code, m =>
        {
            string setup = Path.GetFullPath(Path.Combine(notebookFolder, m.Groups["path"].Value));
            string checkout = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(setup)!, "..", ".."));
            string missing = $"{setup} is missing: build the notebooks' library with 'dotnet build lib/CamNotebooks -c Release' " +
                             $"(./build.sh does it) in {checkout}, then restart the kernel.";
            return string.Join('\n',
                $"// A copy from the book: it loads the library and data of the checkout that built the book, {checkout}, from any folder.",
                $"if (!System.IO.File.Exists({Verbatim(setup)})) throw new CamNotebooksNotBuilt({Verbatim(missing)});",
                "class CamNotebooksNotBuilt(string message) : System.Exception(message) { public override string StackTrace => \"\"; public override string ToString() => Message; }",
                $"#!import {(setup.Contains(' ') ? $"\"{setup}\"" : setup)}");
        });
        return DataLiteral().Replace(code, m =>
            "\"" + Path.GetFullPath(Path.Combine(notebookFolder, m.Groups["up"].Value, "data")).Replace('\\', '/') + "/");
    }

    private static string Verbatim(string text) => "@\"" + text.Replace("\"", "\"\"") + "\"";

    private static IEnumerable<string> LinesOf(string text)
    {
        int start = 0;
        for (int i = text.IndexOf('\n'); i >= 0; i = text.IndexOf('\n', start))
        {
            yield return text[start..(i + 1)];
            start = i + 1;
        }
        if (start < text.Length) yield return text[start..];
    }

    [GeneratedRegex(@"^[ \t]*#!import[ \t]+""?(?<path>(?:\.\./)+artifacts/notebook-lib/setup\.csx)""?[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex SetupImportLine();

    [GeneratedRegex(@"""(?<up>(?:\.\./)+)data/")]
    private static partial Regex DataLiteral();

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');

    private static bool IsMarked(string ipynb)
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(ipynb));
            return json.RootElement.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
                && metadata.TryGetProperty(MetadataKey, out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
