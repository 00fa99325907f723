using System.Text;

namespace CamNotebooks.Book.Rendering;

/// <summary>
/// The pages' own scripts, each read from its file in Assets/ (embedded in this program, as book.css is) and placed in
/// a page exactly as the file holds it, so the content policy's hash of the text is the hash of the file's bytes.
/// </summary>
public static class PageScripts
{
    /// <summary>Switches off plotly.js's link to its web site in every chart (Assets/plotly-offline.js).</summary>
    public static string PlotlyOffline { get; } = Read("plotly-offline.js");

    /// <summary>Fits Plotly charts to the reader's screen (Assets/chart-fitting.js).</summary>
    public static string ChartFitting { get; } = Read("chart-fitting.js");

    /// <summary>Answers require.js loaders with the page's own plotly.js (Assets/require-shim.js).</summary>
    public static string RequireShim { get; } = Read("require-shim.js");

    /// <summary>The explorer page's controls (Assets/explorer.js).</summary>
    public static string Explorer { get; } = Read("explorer.js");

    /// <summary>The live page's updates (Assets/live.js), served by the live loop rather than inlined.</summary>
    public static string Live { get; } = Read("live.js");

    private static string Read(string file)
    {
        byte[] bytes = BookAssets.ReadOwnResource($"CamNotebooks.Book.Assets.{file}");
        // Strict UTF-8 without a byte order mark, so that the text written into the page is the file's bytes exactly.
        if (bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble))
            throw new InvalidOperationException($"Assets/{file} starts with a byte order mark; save it as UTF-8 without one.");
        string text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        if (text.Contains("</script", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"Assets/{file} contains \"</script\", which would end its element in the page.");
        return text;
    }
}
