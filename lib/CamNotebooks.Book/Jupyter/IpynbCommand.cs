using System.CommandLine;
using System.Text;
using CamNotebooks.IO;
using CamNotebooks.Runner;
using CamNotebooks.Tools;
using Microsoft.DotNet.Interactive.Documents.Jupyter;

namespace CamNotebooks.Book.Jupyter;

/// <summary>
/// <c>ipynb</c>: writes each .dib as a Jupyter notebook beside it (same folder, so <c>#!import ../artifacts/...</c> and
/// <c>../data</c> resolve as they do for the .dib), for Jupyter front-ends with the .NET Interactive kernel (<c>.net-csharp</c>).
/// </summary>
public static class IpynbCommand
{
    /// <summary>The <c>ipynb</c> subcommand.</summary>
    internal static Command Create()
    {
        var inputs = new Argument<string[]>("notebook.dib | folder")
        {
            Description = "The notebooks to convert; a folder means every .dib inside, recursively.",
            Arity = ArgumentArity.ZeroOrMore,
            DefaultValueFactory = _ => ["notebooks"],
        }.RejectingUnknownOptions();
        var force = new Option<bool>("--force") { Description = "Replaces an existing .ipynb (it may hold your work).", Arity = ArgumentArity.Zero };
        var command = new Command("ipynb", "Writes <name>.ipynb beside each .dib, for JupyterLab or VS Code's Jupyter support with the " +
            ".NET (C#) kernel ('dotnet interactive jupyter install'). An existing .ipynb is kept unless --force is given. Exit code: 0, or 2 on bad input.")
        {
            inputs, force,
        };
        command.SetAction(parsed => Run(parsed.GetRequiredValue(inputs), parsed.GetValue(force), parsed));
        return command;
    }

    private static int Run(IReadOnlyList<string> inputs, bool force, ParseResult parsed)
    {
        var (output, error) = (parsed.InvocationConfiguration.Output, parsed.InvocationConfiguration.Error);
        var notebooks = new List<string>();
        foreach (string input in inputs)
        {
            if (Directory.Exists(input)) notebooks.AddRange(Directory.GetFiles(input, "*.dib", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            else if (File.Exists(input)) notebooks.Add(input);
            else return CommandLineTool.Refuse(parsed, error, $"'{Path.GetFullPath(input)}' does not exist.");
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
                AtomicFile.WriteAllText(ipynb, json);
                output.WriteLine($"wrote    {ipynb}");
            }
        }
        catch (NotebookFormatException e)
        {
            error.WriteLine($"error: {e.Message}");
            return CommandLineTool.BadInput;
        }
        return 0;
    }

    /// <summary>The .dib at <paramref name="dibPath"/> as .ipynb JSON (nbformat 4.5, kernel <c>.net-csharp</c>), without outputs.</summary>
    /// <exception cref="NotebookFormatException">The .dib cannot be read.</exception>
    public static string Convert(string dibPath)
    {
        var document = NotebookReader.LoadDib(dibPath);
        // Stable cell ids, as the runner writes them, so nbformat needs no repair.
        for (int i = 0; i < document.Elements.Count; i++) document.Elements[i].Id = $"cell-{i + 1}";
        return document.ToJupyterJson("C#");
    }
}
