using Plotly.NET;

namespace CamNotebooks.Book.Rendering;

/// <summary>The files every book ships beside its pages: the style sheet, and plotly.js with its licence.</summary>
public static class BookAssets
{
    /// <summary>The plotly.js version Plotly.NET 6.0.0 embeds, the one the notebooks' charts are drawn with.</summary>
    public const string PlotlyJsVersion = "2.28.0";

    /// <summary>plotly.js's file name in the book folder.</summary>
    public const string PlotlyJsFileName = $"plotly-{PlotlyJsVersion}.min.js";

    /// <summary>plotly.js's licence file name in the book folder.</summary>
    public const string PlotlyLicenseFileName = $"plotly-{PlotlyJsVersion}.min.js.LICENSE.txt";

    /// <summary>The files, by name, with their contents.</summary>
    public static IReadOnlyDictionary<string, byte[]> Files() => new SortedDictionary<string, byte[]>(StringComparer.Ordinal)
    {
        [PageRenderer.StyleSheet] = ReadOwnResource("CamNotebooks.Book.Assets.book.css"),
        // Read from Plotly.NET.dll, exactly as the notebooks' PlotlyDisplay does, so the page draws with the same plotly.js.
        [PlotlyJsFileName] = ReadPlotlyResource($"Plotly.NET.plotly-{PlotlyJsVersion}.min.js"),
        [PlotlyLicenseFileName] = ReadPlotlyResource($"Plotly.NET.plotly-{PlotlyJsVersion}.min.js.LICENSE.txt"),
    };

    internal static byte[] ReadOwnResource(string name) => Read(typeof(BookAssets).Assembly.GetManifestResourceStream(name), name);

    private static byte[] ReadPlotlyResource(string name) => Read(typeof(GenericChart).Assembly.GetManifestResourceStream(name), name);

    private static byte[] Read(Stream? stream, string name)
    {
        if (stream is null)
            throw new InvalidOperationException($"The resource {name} is missing; CamNotebooks.Book expects Plotly.NET 6.0.0 (plotly.js {PlotlyJsVersion}) and its own Assets/ files.");
        using (stream)
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
    }
}
