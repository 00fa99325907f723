using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;

namespace CamNotebooks.Book.Rendering;

/// <summary>
/// What "offline" means for a page: nothing in it may make the browser fetch from another host. Links to other hosts
/// are allowed (following one is the reader's choice); the cleaning itself is <see cref="BookSanitizer"/>'s.
/// </summary>
public static partial class OfflineHtml
{
    /// <summary>The attribute PlotlyDisplay puts on the inline plotly.js script of a notebook's first chart.</summary>
    public const string PlotlyScriptMarker = "data-camnb-plotly";

    // Attributes whose address the browser fetches without the reader asking.
    private static readonly string[] LoadAttributes = ["src", "srcset", "poster", "data", "background", "action", "formaction", "ping", "xlink:href"];

    /// <summary>True when <paramref name="url"/> points to another host (http, https or protocol-relative).</summary>
    public static bool IsExternal(string? url) =>
        url is not null && ExternalUrl().IsMatch(url.Trim());

    /// <summary>True when <paramref name="html"/> calls plotly.js, so its page must load the local copy.</summary>
    public static bool DrawsPlotlyCharts(string html) =>
        html.Contains(PlotlyScriptMarker, StringComparison.Ordinal)
        || html.Contains("Plotly.newPlot", StringComparison.Ordinal)
        || html.Contains("Plotly.react", StringComparison.Ordinal);

    /// <summary>
    /// Every address on another host that <paramref name="html"/> would make the browser load: src-like attributes,
    /// <c>href</c> on anything but a link (style sheets, <c>base</c>), CSS <c>url(...)</c> and <c>@import</c>.
    /// </summary>
    public static IReadOnlyList<string> ExternalReferences(string html)
    {
        var document = new HtmlParser().ParseDocument(html);
        var found = new List<string>();
        foreach (var element in document.All)
        {
            foreach (var attribute in element.Attributes)
            {
                bool load = LoadAttributes.Contains(attribute.Name, StringComparer.OrdinalIgnoreCase)
                            || (attribute.Name.Equals("href", StringComparison.OrdinalIgnoreCase) && element.LocalName != "a")
                            || (attribute.Name.Equals("content", StringComparison.OrdinalIgnoreCase) && element.LocalName == "meta");
                if (load && attribute.Value.Split(',', ';', ' ').Any(part => IsExternal(part.Replace("url=", "", StringComparison.OrdinalIgnoreCase))))
                    found.Add($"<{element.LocalName} {attribute.Name}=\"{attribute.Value}\">");
            }
            if (element.LocalName == "style" || element.HasAttribute("style"))
            {
                string css = element.LocalName == "style" ? element.TextContent : element.GetAttribute("style")!;
                found.AddRange(ExternalCss().Matches(css).Select(m => $"<{element.LocalName}> {m.Value}"));
            }
        }
        return found;
    }

    [GeneratedRegex(@"^(https?:)?//", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalUrl();

    [GeneratedRegex(@"(url\(|@import)\s*[""']?\s*(https?:)?//[^)""';]*", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalCss();
}
