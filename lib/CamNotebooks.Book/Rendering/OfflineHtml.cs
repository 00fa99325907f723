using System.Text.RegularExpressions;

namespace CamNotebooks.Book.Rendering;

/// <summary>
/// Makes HTML from notebook outputs safe to open without a network: nothing in it may make the browser fetch from
/// another host. The pages are read offline (and may be read where the network is watched), so a CDN loader would
/// either hang a chart or leak a request.
/// </summary>
public static partial class OfflineHtml
{
    /// <summary>The attribute PlotlyDisplay puts on the inline plotly.js script of a notebook's first chart.</summary>
    public const string PlotlyScriptMarker = "data-camnb-plotly";

    /// <summary>The outcome of <see cref="Neutralise"/>.</summary>
    /// <param name="Html">The rewritten HTML.</param>
    /// <param name="DrawsPlotlyCharts">True when the HTML calls plotly.js, so its page must load the local copy.</param>
    public sealed record Result(string Html, bool DrawsPlotlyCharts);

    /// <summary>
    /// Removes the inline plotly.js (the page loads the copy next to it instead), removes scripts and style sheets
    /// loaded from other hosts, and disarms every other reference to one (src/href/srcset/poster/action attributes,
    /// CSS <c>url(...)</c> and <c>@import</c>), keeping the original address in a <c>data-offline-*</c> attribute.
    /// </summary>
    public static Result Neutralise(string html)
    {
        bool draws = html.Contains(PlotlyScriptMarker, StringComparison.Ordinal)
                     || html.Contains("Plotly.newPlot", StringComparison.Ordinal)
                     || html.Contains("Plotly.react", StringComparison.Ordinal);
        html = InlinePlotlyScript().Replace(html, "");
        html = ExternalScript().Replace(html, "<!-- script from another host removed: the book is offline -->");
        html = ExternalStyleSheet().Replace(html, "<!-- style sheet from another host removed: the book is offline -->");
        html = ExternalAttribute().Replace(html, m => $"data-offline-{m.Groups["name"].Value.ToLowerInvariant()}={m.Groups["value"].Value}");
        html = ExternalCssImport().Replace(html, "/* @import from another host removed */");
        html = ExternalCssUrl().Replace(html, "url(data:,)");
        return new Result(html, draws);
    }

    /// <summary>True when <paramref name="url"/> points to another host (http, https or protocol-relative).</summary>
    public static bool IsExternal(string? url) =>
        url is not null && ExternalUrl().IsMatch(url.Trim());

    /// <summary>Every external address still referenced from a src/href-like attribute in <paramref name="html"/>.</summary>
    public static IReadOnlyList<string> ExternalReferences(string html) =>
        AnyExternalAttribute().Matches(html).Select(m => m.Value).ToList();

    [GeneratedRegex(@"^(https?:)?//", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalUrl();

    [GeneratedRegex(@"<script\b[^>]*\bdata-camnb-plotly\b[^>]*>.*?</script>\s*", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex InlinePlotlyScript();

    [GeneratedRegex(@"<script\b[^>]*\bsrc\s*=\s*[""']?\s*(https?:)?//[^>]*>.*?</script>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex ExternalScript();

    [GeneratedRegex(@"<link\b[^>]*\bhref\s*=\s*[""']?\s*(https?:)?//[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalStyleSheet();

    // name="//host..." or name='https://...' or name=https://... (unquoted)
    [GeneratedRegex(@"(?<=[\s""'])(?<name>src|href|srcset|poster|action|formaction|data|background)\s*=\s*(?<value>""\s*(https?:)?//[^""]*""|'\s*(https?:)?//[^']*'|(https?:)?//[^\s>]+)", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalAttribute();

    [GeneratedRegex(@"(?<=[\s""'])(src|href|srcset|poster|action|formaction|data|background)\s*=\s*[""']?\s*(https?:)?//[^\s""'>]*", RegexOptions.IgnoreCase)]
    private static partial Regex AnyExternalAttribute();

    [GeneratedRegex(@"@import\s+(url\()?\s*[""']?\s*(https?:)?//[^;]*;", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalCssImport();

    [GeneratedRegex(@"url\(\s*[""']?\s*(https?:)?//[^)]*\)", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalCssUrl();
}
