using System.Text;
using System.Text.RegularExpressions;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>
/// Builds the notebook a learner's "go back up and re-run" amounts to, for kernels that only know "Run All" (dotnet-repl):
/// every cell of the original, then every code cell again from the last to the first.
/// </summary>
public static partial class RerunNotebook
{
    /// <summary>The cells of a .dib text after its #!meta block: (kernel name, code).</summary>
    public static List<(string Kernel, string Code)> Cells(string dib)
    {
        var cells = new List<(string Kernel, string Code)>();
        string? kernel = null;
        var code = new StringBuilder();
        foreach (string line in dib.Replace("\r\n", "\n").Split('\n'))
        {
            var header = Header().Match(line);
            if (header.Success)
            {
                if (kernel is not null and not "meta") cells.Add((kernel, code.ToString().Trim('\n')));
                kernel = header.Groups["kernel"].Value;
                code.Clear();
            }
            else code.Append(line).Append('\n');
        }
        if (kernel is not null and not "meta") cells.Add((kernel, code.ToString().Trim('\n')));
        return cells;
    }

    /// <summary>The original notebook followed by its non-empty C# cells in reverse order.</summary>
    public static string Derive(string dib)
    {
        var text = new StringBuilder(dib.TrimEnd('\n', '\r')).Append('\n');
        foreach (var (_, code) in Cells(dib).Where(c => c.Kernel == "csharp" && c.Code.Trim().Length > 0).Reverse())
            text.Append("\n#!csharp\n\n").Append(code).Append('\n');
        return text.ToString();
    }

    [GeneratedRegex(@"^#!(?<kernel>meta|csharp|markdown)\s*$")]
    private static partial Regex Header();
}
