using System.Text.Json;

namespace CamNotebooks.Book.Notebooks;

/// <summary>One output of a code cell, as the kernel produced it.</summary>
public abstract record CellOutput;

/// <summary>Text the cell wrote to a standard stream.</summary>
/// <param name="Stream"><c>stdout</c> or <c>stderr</c>.</param>
/// <param name="Text">What was written.</param>
public sealed record StreamOutput(string Stream, string Text) : CellOutput;

/// <summary>A displayed value: one representation per MIME type (text/html, image/png, text/plain, ...).</summary>
/// <param name="Data">MIME type to content (base64 for binary images, as in .ipynb).</param>
public sealed record DisplayOutput(IReadOnlyDictionary<string, string> Data) : CellOutput;

/// <summary>The error a failing cell reported.</summary>
/// <param name="Name">The error's name (exception type or "Error").</param>
/// <param name="Message">The error message.</param>
/// <param name="Traceback">Stack trace lines, possibly with ANSI colour codes.</param>
public sealed record ErrorOutput(string Name, string Message, IReadOnlyList<string> Traceback) : CellOutput;

/// <summary>A cell of an executed notebook.</summary>
/// <param name="Id">The cell id (the runner numbers them <c>cell-1</c>, <c>cell-2</c>, ...).</param>
/// <param name="IsCode">True for code, false for markdown.</param>
/// <param name="Source">The cell's text.</param>
/// <param name="Outputs">What the cell produced; empty for markdown and for cells that were not run.</param>
public sealed record NotebookCell(string Id, bool IsCode, string Source, IReadOnlyList<CellOutput> Outputs);

/// <summary>An executed notebook read from a Jupyter .ipynb (nbformat 4) file, as the runner writes it.</summary>
/// <param name="Cells">The cells in order.</param>
public sealed record ExecutedNotebook(IReadOnlyList<NotebookCell> Cells)
{
    /// <summary>The first error output of any cell, with the 1-based number of its cell; null when nothing failed.</summary>
    public (int CellNumber, ErrorOutput Error)? FirstError =>
        Cells.Select((cell, index) => (Number: index + 1, Error: cell.Outputs.OfType<ErrorOutput>().FirstOrDefault()))
            .Where(c => c.Error is not null)
            .Select(c => ((int, ErrorOutput)?)(c.Number, c.Error!))
            .FirstOrDefault();

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not an nbformat 4 notebook.</exception>
    public static ExecutedNotebook Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Parses the JSON text of an .ipynb; <paramref name="origin"/> names it in error messages.</summary>
    /// <exception cref="InvalidDataException">The text is not an nbformat 4 notebook.</exception>
    public static ExecutedNotebook Parse(string json, string origin)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (!root.TryGetProperty("nbformat", out var format) || format.GetInt32() != 4)
                throw new InvalidDataException($"{origin} is not an nbformat 4 notebook (no \"nbformat\": 4). Re-run it with the CamNotebooks runner.");
            var cells = new List<NotebookCell>();
            int index = 0;
            foreach (var cell in root.GetProperty("cells").EnumerateArray())
            {
                index++;
                string type = cell.GetProperty("cell_type").GetString() ?? "";
                string id = cell.TryGetProperty("id", out var idElement) ? idElement.GetString() ?? $"cell-{index}" : $"cell-{index}";
                var outputs = new List<CellOutput>();
                if (cell.TryGetProperty("outputs", out var outputArray))
                    foreach (var output in outputArray.EnumerateArray())
                        if (ReadOutput(output) is { } parsed) outputs.Add(parsed);
                cells.Add(new NotebookCell(id, type == "code", MultilineText(cell.GetProperty("source")), outputs));
            }
            return new ExecutedNotebook(cells);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{origin} is not a readable .ipynb notebook ({e.Message}). Delete it and build again.", e);
        }
    }

    private static CellOutput? ReadOutput(JsonElement output)
    {
        switch (output.GetProperty("output_type").GetString())
        {
            case "stream":
                return new StreamOutput(output.GetProperty("name").GetString() ?? "stdout", MultilineText(output.GetProperty("text")));
            case "display_data" or "execute_result" or "update_display_data":
                var data = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var entry in output.GetProperty("data").EnumerateObject())
                    data[entry.Name] = entry.Value.ValueKind is JsonValueKind.String or JsonValueKind.Array
                        ? MultilineText(entry.Value)
                        : entry.Value.GetRawText(); // application/json and friends carry JSON values, not strings
                return new DisplayOutput(data);
            case "error":
                var traceback = output.TryGetProperty("traceback", out var lines)
                    ? lines.EnumerateArray().Select(l => l.GetString() ?? "").ToList()
                    : [];
                string name = output.GetProperty("ename").GetString() ?? "Error";
                string value = output.GetProperty("evalue").GetString() ?? "";
                return new ErrorOutput(name, value, traceback);
            default:
                return null; // unknown output kinds are skipped rather than shown wrongly
        }
    }

    /// <summary>nbformat stores text either as one string or as a list of lines (each keeping its newline).</summary>
    private static string MultilineText(JsonElement element) => element.ValueKind == JsonValueKind.Array
        ? string.Concat(element.EnumerateArray().Select(e => e.GetString()))
        : element.GetString() ?? "";
}
