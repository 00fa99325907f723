using System.Text.Json;
using CamNotebooks.Runner;
using Microsoft.DotNet.Interactive.Documents;

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
    /// <exception cref="NotebookFormatException">The file is not an nbformat 4 notebook.</exception>
    public static ExecutedNotebook Load(string path) => From(NotebookReader.LoadIpynb(path));

    /// <summary>Parses the JSON text of an .ipynb; <paramref name="origin"/> names it in error messages.</summary>
    /// <exception cref="NotebookFormatException">The text is not an nbformat 4 notebook.</exception>
    public static ExecutedNotebook Parse(string json, string origin) => From(NotebookReader.ParseIpynb(json, origin));

    /// <summary>The cells and outputs of a document read by the Documents model, as the book's renderer takes them.</summary>
    public static ExecutedNotebook From(InteractiveDocument document) => new(document.Elements.Select((cell, index) => new NotebookCell(
        cell.Id ?? $"cell-{index + 1}", cell.KernelName != "markdown", cell.Contents, cell.Outputs.Select(Output).ToList())).ToList());

    private static CellOutput Output(InteractiveDocumentOutputElement output) => output switch
    {
        TextElement text => new StreamOutput(text.Name ?? "stdout", text.Text ?? ""),
        DisplayElement display => new DisplayOutput(Data(display.Data)),
        ReturnValueElement value => new DisplayOutput(Data(value.Data)),
        ErrorElement error => new ErrorOutput(error.ErrorName ?? "Error", error.ErrorValue ?? "", error.StackTrace ?? []),
        _ => throw new NotebookFormatException($"an output of kind {output.GetType().Name} cannot be shown."),
    };

    /// <summary>One string per MIME type: nbformat's lists of lines joined; JSON values (application/json...) as JSON text.</summary>
    private static Dictionary<string, string> Data(IDictionary<string, object> data) => data.ToDictionary(
        entry => entry.Key,
        entry => entry.Value switch
        {
            string text => text,
            IEnumerable<object> lines when lines.All(line => line is string) => string.Concat(lines),
            var value => JsonSerializer.Serialize(value),
        },
        StringComparer.Ordinal);
}
