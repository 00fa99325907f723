using System.Text;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;
using XPlot.Plotly;

namespace CamNotebooks.Display;

/// <summary>
/// Shows Plotly.NET and XPlot.Plotly charts in a notebook <em>offline</em>: the plotly.js that Plotly.NET.dll embeds
/// (version <see cref="PlotlyJsVersion"/>) is sent once per kernel session, inline, and every chart waits for it.
/// </summary>
/// <remarks>
/// Plotly.NET.Interactive's own formatter loads require.js and plotly.js from public CDNs, so charts stay blank on a
/// machine without internet. VS Code renders all outputs of a notebook in one web view, so a script defined by one
/// output is visible to later ones: the first chart carries the library (marked <c>data-camnb-plotly</c>, which the book
/// renderer swaps for a file next to the pages), later charts only their data. Element ids are numbered per session,
/// not random, so executed notebooks are reproducible.
/// </remarks>
public static class PlotlyDisplay
{
    /// <summary>The plotly.js version embedded in Plotly.NET 6.0.0.</summary>
    public const string PlotlyJsVersion = "2.28.0";

    /// <summary>The attribute that marks the inline plotly.js script in an output.</summary>
    public const string ScriptMarker = "data-camnb-plotly";

    private static readonly Lazy<string> PlotlyJs = new(() => ReadResource($"Plotly.NET.plotly-{PlotlyJsVersion}.min.js"));
    private static int _chartCounter;
    private static int _libraryEmitted;

    /// <summary>plotly.js's own minified source, as Plotly.NET ships it.</summary>
    public static string PlotlyJsSource => PlotlyJs.Value;

    /// <summary>plotly.js's licence text, as Plotly.NET ships it.</summary>
    public static string PlotlyJsLicense => ReadResource($"Plotly.NET.plotly-{PlotlyJsVersion}.min.js.LICENSE.txt");

    /// <summary>
    /// Registers the offline formatters for <see cref="GenericChart"/> and, once XPlot.Plotly is loaded, for
    /// <see cref="PlotlyChart"/> (idempotent). Notebooks reference XPlot.Plotly only in the cell that draws with it, so
    /// nothing here may touch an XPlot type before that assembly is there.
    /// </summary>
    public static void Register()
    {
        Formatter.Register<GenericChart>((chart, writer) => writer.Write(ToHtml(chart)), HtmlFormatter.MimeType);
        AppDomain.CurrentDomain.AssemblyLoad -= RegisterXPlotOnLoad;
        AppDomain.CurrentDomain.AssemblyLoad += RegisterXPlotOnLoad;
        if (AppDomain.CurrentDomain.GetAssemblies().Any(IsXPlot)) RegisterXPlot();
    }

    private static bool IsXPlot(System.Reflection.Assembly assembly) => assembly.GetName().Name == "XPlot.Plotly";

    private static void RegisterXPlotOnLoad(object? sender, AssemblyLoadEventArgs e)
    {
        if (IsXPlot(e.LoadedAssembly)) RegisterXPlot();
    }

    // Its own method, not inlined: compiling it is what loads XPlot.Plotly.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void RegisterXPlot() =>
        Formatter.Register<PlotlyChart>((chart, writer) => writer.Write(ToHtml(chart)), HtmlFormatter.MimeType);

    /// <summary>Forgets that plotly.js was sent, e.g. when a new kernel session starts in the same process.</summary>
    public static void ResetSession()
    {
        Interlocked.Exchange(ref _libraryEmitted, 0);
        Interlocked.Exchange(ref _chartCounter, 0);
    }

    /// <summary>HTML that draws a Plotly.NET chart: its figure JSON handed to <c>Plotly.newPlot</c> once plotly.js is there.</summary>
    public static string ToHtml(GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        string id = NextId();
        string figure = GenericChart.toFigureJson(chart);
        return Wrap(id, $"var figure = {figure}; Plotly.newPlot('{id}', figure.data, figure.layout, Object.assign({{responsive: true}}, figure.config || {{}}));");
    }

    /// <summary>HTML that draws an XPlot.Plotly chart (which has no formatter of its own in the final kernel).</summary>
    public static string ToHtml(PlotlyChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        chart.Id = NextId();
        return Wrap(chart.Id, chart.GetPlottingJS(), $"width:{chart.Width}px;height:{chart.Height}px;");
    }

    private static string NextId() => $"camnb-plot-{Interlocked.Increment(ref _chartCounter)}";

    private static string Wrap(string id, string drawScript, string style = "")
    {
        var html = new StringBuilder();
        if (Interlocked.Exchange(ref _libraryEmitted, 1) == 0)
            html.Append($"<script type=\"text/javascript\" {ScriptMarker}=\"{PlotlyJsVersion}\">").Append(PlotlyJsSource).Append("</script>\n");
        html.Append($"<div id=\"{id}\" style=\"{style}\"></div>\n");
        // Poll briefly: the library may still be parsing when this output's script runs.
        html.Append("<script type=\"text/javascript\">(function () { var tries = 0; function draw() { ")
            .Append("if (window.Plotly) { ").Append(drawScript).Append(" } ")
            .Append($"else if (tries++ < 200) {{ setTimeout(draw, 50); }} else {{ document.getElementById('{id}').textContent = 'plotly.js is not loaded: re-run the notebook from its first cell.'; }} ")
            .Append("} draw(); })();</script>");
        return html.ToString();
    }

    private static string ReadResource(string name)
    {
        using var stream = typeof(GenericChart).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Plotly.NET.dll does not embed {name}; CamNotebooks expects Plotly.NET 6.0.0.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
