using System.Text;
using System.Text.RegularExpressions;
using CamNotebooks.Book.Notebooks;

namespace CamNotebooks.Book.Rendering;

/// <summary>Renders cell outputs as the kernel produced them: HTML as HTML, images as images, text as text, errors as errors.</summary>
public static partial class OutputRenderer
{
    // The richest representation that a static page can show faithfully, first.
    private static readonly string[] Preference =
        ["text/html", "image/svg+xml", "image/png", "image/jpeg", "image/gif", "image/webp", "text/markdown", "application/json", "text/plain"];

    /// <summary>
    /// The HTML of one output; <paramref name="drawsCharts"/> is set when it draws a Plotly chart. HTML goes through
    /// <paramref name="sanitizer"/> (the page's <see cref="BookSanitizer.Output"/>), which records the scripts it keeps.
    /// </summary>
    public static string ToHtml(CellOutput output, MarkdownRenderer markdown, BookSanitizer sanitizer, out bool drawsCharts)
    {
        drawsCharts = false;
        switch (output)
        {
            case StreamOutput stream:
                return $"<pre class=\"output stream {(stream.Stream == "stderr" ? "stderr" : "stdout")}{Tabular(stream.Text)}\">{Lines(stream.Text)}</pre>";
            case ErrorOutput error:
                var html = new StringBuilder("<div class=\"output error\" role=\"alert\">");
                html.Append("<p class=\"error-name\">").Append(Text(error.Name)).Append("</p>");
                html.Append("<pre class=\"error-message\">").Append(Text(error.Message)).Append("</pre>");
                // .NET Interactive's message often carries the stack trace already: show it once.
                if (error.Traceback.Count > 0 && !error.Traceback.All(line => error.Message.Contains(line.Trim(), StringComparison.Ordinal)))
                    html.Append("<pre class=\"traceback\">").Append(Text(string.Join("\n", error.Traceback))).Append("</pre>");
                return html.Append("</div>").ToString();
            case DisplayOutput display:
                string? mime = Preference.FirstOrDefault(display.Data.ContainsKey) ?? display.Data.Keys.Order(StringComparer.Ordinal).FirstOrDefault();
                if (mime is null) return "";
                string content = display.Data[mime];
                switch (mime)
                {
                    case "text/html":
                        drawsCharts = OfflineHtml.DrawsPlotlyCharts(content);
                        return $"<div class=\"output html\">{sanitizer.Sanitize(content)}</div>";
                    case "image/svg+xml":
                        // As an image, an SVG can neither run its scripts nor load anything.
                        string svg = Convert.ToBase64String(Encoding.UTF8.GetBytes(content));
                        return $"<div class=\"output image svg\"><img src=\"data:image/svg+xml;base64,{svg}\" alt=\"image output\"></div>";
                    case "text/markdown":
                        return $"<div class=\"output markdown\">{markdown.Render(content).Html}</div>";
                    case "text/plain" or "application/json":
                        return $"<pre class=\"output text{Tabular(content)}\">{Lines(content)}</pre>";
                    default:
                        if (mime.StartsWith("image/", StringComparison.Ordinal))
                        {
                            // Base64 in .ipynb may be wrapped over several lines.
                            string base64 = Whitespace().Replace(content, "");
                            return $"<div class=\"output image\"><img src=\"data:{mime};base64,{base64}\" alt=\"image output\"></div>";
                        }
                        return $"<pre class=\"output text\">{Text(content)}</pre>";
                }
            default:
                return "";
        }
    }

    /// <summary>Escapes text for HTML after dropping ANSI colour codes (kernels colour tracebacks for terminals).</summary>
    public static string Text(string text) => Html.Escape(AnsiEscape().Replace(text, ""));

    /// <summary>
    /// " tabular" for text with a table in it (two or more lines with a gap of two spaces or more between words); empty
    /// for prose.
    /// </summary>
    public static string Tabular(string text) =>
        text.Split('\n').Count(line => ColumnGap().IsMatch(line)) >= 2 ? " tabular" : "";

    /// <summary>
    /// <paramref name="text"/> escaped, with each run of table rows in a <c>&lt;span class="rows"&gt;</c>: the rows keep
    /// their columns (and scroll sideways on a narrow screen) while the prose around them wraps.
    /// </summary>
    public static string Lines(string text)
    {
        if (Tabular(text).Length == 0) return Text(text);
        var html = new StringBuilder();
        bool inRows = false;
        foreach (string line in Regex.Split(text, "(?<=\n)"))
        {
            if (line.Length == 0) continue;
            bool row = ColumnGap().IsMatch(line);
            if (row != inRows) html.Append(row ? "<span class=\"rows\">" : "</span>");
            inRows = row;
            html.Append(Text(line));
        }
        return html.Append(inRows ? "</span>" : "").ToString();
    }

    [GeneratedRegex(@"\S {2,}\S")]
    private static partial Regex ColumnGap();

    [GeneratedRegex(@"\x1B\[[0-9;?]*[A-Za-z]")]
    private static partial Regex AnsiEscape();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
