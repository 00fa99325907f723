using System.Text;
using CamNotebooks.Runner;
using Microsoft.DotNet.Interactive.Documents.Jupyter;

namespace CamNotebooks.Book.Jupyter;

/// <summary>
/// <c>ipynb</c>: writes each .dib as a Jupyter notebook beside it (same folder, so <c>#!import ../artifacts/...</c> and
/// <c>../data</c> resolve as they do for the .dib), for Jupyter front-ends with the .NET Interactive kernel (<c>.net-csharp</c>).
/// </summary>
public static class IpynbCommand
{
    /// <summary>The command's usage lines.</summary>
    public const string Usage = """
          ipynb [<notebook.dib | folder>...] [--force]
            Writes <name>.ipynb beside each .dib (default: every .dib under notebooks/), for JupyterLab or VS Code's Jupyter
            support with the .NET (C#) kernel ('dotnet interactive jupyter install'). An existing .ipynb is kept (it may hold
            your work) unless --force is given.
        """;

    /// <summary>Converts; returns the exit code (0, or 2 on bad input).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        bool force = args.Contains("--force");
        var inputs = args.Where(a => a != "--force").ToList();
        if (inputs.FirstOrDefault(a => a.StartsWith("--", StringComparison.Ordinal)) is { } unknown)
            return Fail(error, $"unknown option '{unknown}'.");
        if (inputs.Count == 0) inputs.Add("notebooks");
        var notebooks = new List<string>();
        foreach (string input in inputs)
        {
            if (Directory.Exists(input)) notebooks.AddRange(Directory.GetFiles(input, "*.dib", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            else if (File.Exists(input)) notebooks.Add(input);
            else return Fail(error, $"'{Path.GetFullPath(input)}' does not exist.");
        }
        try
        {
            var converted = notebooks.Select(n => (Dib: n, Json: Convert(n))).ToList(); // all readable before anything is written
            foreach (var (dib, json) in converted)
            {
                string ipynb = Path.ChangeExtension(dib, ".ipynb");
                if (File.Exists(ipynb) && !force)
                {
                    output.WriteLine($"kept     {ipynb} (it exists; --force replaces it)");
                    continue;
                }
                Building.AtomicFile.WriteAllText(ipynb, json);
                output.WriteLine($"wrote    {ipynb}");
            }
        }
        catch (NotebookFormatException e)
        {
            error.WriteLine($"error: {e.Message}");
            return 2;
        }
        return 0;
    }

    /// <summary>The .dib at <paramref name="dibPath"/> as .ipynb JSON (nbformat 4.5, kernel <c>.net-csharp</c>), without outputs.</summary>
    /// <exception cref="NotebookFormatException">The .dib cannot be read.</exception>
    public static string Convert(string dibPath)
    {
        var document = DibNotebook.Load(dibPath);
        // Stable cell ids, as the runner writes them, so nbformat needs no repair.
        for (int i = 0; i < document.Elements.Count; i++) document.Elements[i].Id = $"cell-{i + 1}";
        return document.ToJupyterJson("C#");
    }

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine($"error: {message}");
        error.WriteLine("usage: CamNotebooks.Book" + Usage);
        return 2;
    }
}
