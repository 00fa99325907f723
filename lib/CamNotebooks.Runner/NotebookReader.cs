using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;

namespace CamNotebooks.Runner;

/// <summary>
/// The one reader of notebook files, for the runner, the book and the tests: a Polyglot Notebooks <c>.dib</c> (validated
/// before anything runs) or an executed Jupyter <c>.ipynb</c>, both parsed by the .NET Interactive Documents model into an
/// <see cref="InteractiveDocument"/>. Anything it cannot read is a <see cref="NotebookFormatException"/> that names the file
/// and says what to do.
/// </summary>
public static partial class NotebookReader
{
    /// <summary>The kernels this runner executes: C# code and markdown prose.</summary>
    public static readonly IReadOnlySet<string> SupportedKernels = new HashSet<string> { "csharp", "markdown" };

    // Kernel names VS Code's Polyglot Notebooks knows. A cell header naming one of these that this runner does not support
    // must be an error: left alone, the parser would silently glue that cell's code onto the previous C# cell.
    private static readonly HashSet<string> OtherKnownKernels =
        ["fsharp", "pwsh", "powershell", "javascript", "js", "html", "mermaid", "sql", "kql", "http", "python", "r", "value"];

    /// <summary>The kernels of the executed notebooks the runner writes (nbformat 4, kernel <c>.net-csharp</c>).</summary>
    private static readonly KernelInfoCollection IpynbKernels = new() { new KernelInfo("csharp", "C#", []), new KernelInfo("markdown", "Markdown", []) };

    /// <summary>Reads the executed notebook at <paramref name="path"/> (.ipynb, nbformat 4), with every cell's outputs.</summary>
    /// <exception cref="NotebookFormatException">The file is missing or is not an nbformat 4 notebook.</exception>
    public static InteractiveDocument LoadIpynb(string path) =>
        File.Exists(path)
            ? ParseIpynb(File.ReadAllText(path), path)
            : throw new NotebookFormatException($"Executed notebook not found: {Path.GetFullPath(path)}. Run the notebook again.");

    /// <summary>Parses the JSON text of an .ipynb; <paramref name="origin"/> names it in error messages.</summary>
    /// <exception cref="NotebookFormatException">The text is not an nbformat 4 notebook.</exception>
    public static InteractiveDocument ParseIpynb(string json, string origin)
    {
        try
        {
            // The Documents model reads any nbformat; older ones store outputs differently, so refuse them by name.
            using (var header = JsonDocument.Parse(json))
                if (!header.RootElement.TryGetProperty("nbformat", out var format) || !format.TryGetInt32(out int version) || version != 4)
                    throw new NotebookFormatException($"{origin} is not an nbformat 4 notebook (no \"nbformat\": 4). Run it again with the CamNotebooks runner.");
            return Notebook.Parse(json, IpynbKernels);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new NotebookFormatException($"{origin} is not a readable .ipynb notebook ({e.Message}). Delete it and run the notebook again.");
        }
    }

    /// <summary>Loads <paramref name="path"/>, checks its header and cell kernels, and parses it.</summary>
    /// <exception cref="NotebookFormatException">The file is missing, empty, malformed, or names an unsupported kernel.</exception>
    public static InteractiveDocument LoadDib(string path)
    {
        if (!File.Exists(path))
            throw new NotebookFormatException($"Notebook not found: {Path.GetFullPath(path)}. Check the path (it is relative to {Environment.CurrentDirectory}).");
        if (!path.EndsWith(".dib", StringComparison.OrdinalIgnoreCase))
            throw new NotebookFormatException($"{path}: only Polyglot Notebooks .dib files can be run (got '{Path.GetExtension(path)}').");
        return ParseDib(File.ReadAllText(path), Path.GetFileName(path));
    }

    /// <summary>Checks the header and cell kernels of the .dib text <paramref name="text"/> and parses it; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="NotebookFormatException">The text is empty, malformed, or names an unsupported kernel.</exception>
    public static InteractiveDocument ParseDib(string text, string name)
    {
        var kernels = ReadKernelInfo(name, text);

        foreach (var (header, line) in CellHeaders(text))
        {
            if (kernels.Contains(header)) continue;
            if (OtherKnownKernels.Contains(header))
                throw new NotebookFormatException(
                    $"{name}, line {line}: a cell uses the '{header}' kernel; this runner executes only {string.Join(" and ", SupportedKernels)} cells. " +
                    "Rewrite the cell in C# or turn it into markdown.");
        }

        var document = CodeSubmission.Parse(text, kernels);
        if (document.Elements.Count == 0)
            throw new NotebookFormatException($"{name} has no cells. A .dib file holds cells introduced by lines such as '#!markdown' and '#!csharp'.");
        return document;
    }

    private static KernelInfoCollection ReadKernelInfo(string name, string text)
    {
        // The header is "#!meta", a blank line, then one line of JSON: {"kernelInfo":{"defaultKernelName":"csharp","items":[...]}}
        var match = MetaBlock().Match(text);
        if (!match.Success)
            throw new NotebookFormatException(
                $"{name} does not start with a '#!meta' block. Without it, '#!csharp' lines are not recognised as cell boundaries. " +
                "Save the notebook from VS Code (Polyglot Notebooks) or copy the header of notebooks/00_setup.dib.");
        KernelInfoCollection kernels = new();
        try
        {
            using var json = JsonDocument.Parse(match.Groups["json"].Value);
            var info = json.RootElement.GetProperty("kernelInfo");
            kernels.DefaultKernelName = info.GetProperty("defaultKernelName").GetString();
            foreach (var item in info.GetProperty("items").EnumerateArray())
            {
                string kernel = item.GetProperty("name").GetString() ?? "";
                if (!SupportedKernels.Contains(kernel))
                    throw new NotebookFormatException(
                        $"{name} declares the kernel '{kernel}' in its #!meta block; this runner supports only {string.Join(" and ", SupportedKernels)}.");
                kernels.Add(new KernelInfo(kernel, kernel == "csharp" ? "C#" : "Markdown", []));
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new NotebookFormatException($"{name}: the #!meta block is not valid kernel information JSON ({e.Message}).");
        }
        if (kernels.DefaultKernelName is not { } defaultKernel || !SupportedKernels.Contains(defaultKernel))
            throw new NotebookFormatException($"{name}: the default kernel must be csharp, not '{kernels.DefaultKernelName}'.");
        if (!kernels.Contains("markdown")) kernels.Add(new KernelInfo("markdown", "Markdown", []));
        return kernels;
    }

    private static IEnumerable<(string Header, int Line)> CellHeaders(string text)
    {
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var m = CellHeader().Match(lines[i].TrimEnd('\r'));
            if (m.Success) yield return (m.Groups["name"].Value, i + 1);
        }
    }

    [GeneratedRegex(@"\A\s*#!meta\s*\r?\n\s*\r?\n?(?<json>\{.*\})\s*$", RegexOptions.Multiline)]
    private static partial Regex MetaBlock();

    [GeneratedRegex(@"^#!(?<name>[A-Za-z#]+)\s*$")]
    private static partial Regex CellHeader();
}
