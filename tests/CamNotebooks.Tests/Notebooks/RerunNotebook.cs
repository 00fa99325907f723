using System.Text;
using CamNotebooks.Runner;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>
/// Builds the notebook a learner's "go back up and re-run" amounts to, for kernels that only know "Run All" (dotnet-repl):
/// every cell of the original, then every code cell again from the last to the first.
/// </summary>
public static class RerunNotebook
{
    /// <summary>The cells of a .dib text, as the runner reads them: (kernel name, code).</summary>
    public static List<(string Kernel, string Code)> Cells(string dib) =>
        NotebookReader.ParseDib(dib, "the derived notebook").Elements.Select(cell => (cell.KernelName ?? "", cell.Contents.Trim('\n'))).ToList();

    /// <summary>The original notebook followed by its non-empty C# cells in reverse order.</summary>
    public static string Derive(string dib)
    {
        var text = new StringBuilder(dib.TrimEnd('\n', '\r')).Append('\n');
        foreach (var (_, code) in Cells(dib).Where(c => c.Kernel == "csharp" && c.Code.Trim().Length > 0).Reverse())
            text.Append("\n#!csharp\n\n").Append(code).Append('\n');
        return text.ToString();
    }

}
