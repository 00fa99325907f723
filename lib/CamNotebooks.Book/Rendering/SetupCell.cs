using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;
using CamNotebooks.Book.Notebooks;

namespace CamNotebooks.Book.Rendering;

/// <summary>
/// The set-up cell every notebook opens with (<c>#!import ../artifacts/notebook-lib/setup.csx</c>: package references,
/// the library, its namespaces, <c>CamEnvironment.Initialize()</c>), and a cell that only loads more packages: in the
/// book their outputs shrink to one line, with the package list and the environment report folded away and stripped of
/// this machine's paths. A cell that failed or wrote to stderr is shown in full, as any other.
/// </summary>
public static partial class SetupCell
{
    /// <summary>True when <paramref name="cell"/> is a set-up cell that succeeded quietly.</summary>
    public static bool IsQuietSetup(NotebookCell cell) =>
        cell.IsCode
        && IsSetup(cell.Source)
        && cell.Outputs.Count > 0
        && cell.Outputs.All(o => o is DisplayOutput or StreamOutput { Stream: "stdout" });

    /// <summary>
    /// True for the one-line import of the set-up file the build writes (from any folder depth), a cell that spells the
    /// set-up out (package references and <c>CamEnvironment.Initialize()</c>), or a cell of package references only (a
    /// chapter's extra package, such as chapter 02's XPlot.Plotly).
    /// </summary>
    public static bool IsSetup(string source) =>
        SetupImport().IsMatch(source)
        || (source.Contains("#r \"nuget:", StringComparison.Ordinal) && source.Contains("CamEnvironment.Initialize()", StringComparison.Ordinal))
        || PackageReferencesOnly().IsMatch(source);

    /// <summary>True for the outputs of a quiet set-up cell that fold away: the package list and the printed report.</summary>
    public static bool Folds(CellOutput output) => output is StreamOutput || IsPackageList(output);

    /// <summary>The folded outputs of a quiet set-up cell: one summary line that opens onto the details.</summary>
    public static string ToHtml(NotebookCell cell)
    {
        var packages = new List<string>();
        var report = new StringBuilder();
        foreach (var output in cell.Outputs)
        {
            if (IsPackageList(output))
                packages.AddRange(new HtmlParser().ParseDocument(((DisplayOutput)output).Data["text/html"]).QuerySelectorAll("li").Select(li => li.TextContent.Trim()));
            else if (output is StreamOutput stream)
                report.Append(stream.Text);
        }
        string details = WithoutPaths(report.ToString().Trim());
        string libtorch = LibTorchVersion().Match(details) is { Success: true } m ? $", libtorch {m.Groups[1].Value}" : "";
        string packageCount = packages.Count == 1 ? "1 package" : $"{packages.Count} packages";
        var html = new StringBuilder("<div class=\"outputs setup\">\n<details class=\"setup-details\">");
        html.Append($"<summary>Set up: {packageCount}{Html.Escape(libtorch)}</summary>\n");
        if (packages.Count > 0)
            html.Append("<ul class=\"packages\">").Append(string.Concat(packages.Select(p => $"<li>{Html.Escape(p)}</li>"))).Append("</ul>\n");
        if (details.Length > 0)
            html.Append($"<pre class=\"output text\">{OutputRenderer.Text(details)}</pre>\n");
        return html.Append("</details>\n</div>\n").ToString();
    }

    private static bool IsPackageList(CellOutput output) =>
        output is DisplayOutput display && display.Data.TryGetValue("text/html", out string? html) && html.Contains("Installed Packages", StringComparison.Ordinal);

    /// <summary>Replaces every absolute path in <paramref name="text"/> by its file name: a page names no folder of the machine that built it.</summary>
    public static string WithoutPaths(string text) => AbsolutePath().Replace(text, m => m.Groups["name"].Value);

    [GeneratedRegex(@"(?<![\w.~])(?:[A-Za-z]:)?[/\\](?:[\w.+~-]+[/\\])+(?<name>[\w+~-]+(?:\.[\w+~-]+)*)")]
    private static partial Regex AbsolutePath();

    [GeneratedRegex(@"\A\s*#!import\s+""?(?:\.\./)*artifacts/notebook-lib/setup\.csx""?\s*\z")]
    private static partial Regex SetupImport();

    [GeneratedRegex(@"\A(?:\s*#r\s+""nuget:[^""\n]+""[ \t]*(?:\n|\z))+\s*\z")]
    private static partial Regex PackageReferencesOnly();

    [GeneratedRegex(@"libtorch ([0-9][0-9.]*[0-9])")]
    private static partial Regex LibTorchVersion();
}
