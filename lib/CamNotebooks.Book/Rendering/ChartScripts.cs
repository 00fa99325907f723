using System.Text.Json;
using System.Text.RegularExpressions;

namespace CamNotebooks.Book.Rendering;

/// <summary>
/// Recognises the scripts the notebooks' chart formatters write (the library's <c>PlotlyDisplay</c>, for Plotly.NET and
/// XPlot.Plotly charts): a fixed wrapper around <c>Plotly.newPlot</c> whose only variable parts are the chart's id and its
/// data, which must be plain JSON. Any other script in an output is not a chart's and does not run in the book.
/// </summary>
public static partial class ChartScripts
{
    /// <summary>True when <paramref name="script"/> is exactly a chart formatter's drawing script.</summary>
    public static bool IsChartScript(string script)
    {
        var wrapper = Wrapper().Match(script.Trim());
        if (!wrapper.Success) return false;
        string id = wrapper.Groups["id"].Value;
        string draw = wrapper.Groups["draw"].Value.Trim();
        if (PlotlyNet().Match(draw) is { Success: true } figure)
            return figure.Groups["id"].Value == id && IsJson(figure.Groups["figure"].Value);
        if (XPlot().Match(draw) is { Success: true } xplot)
            return xplot.Groups["id"].Value == id && IsJson(xplot.Groups["data"].Value) && IsJson(xplot.Groups["layout"].Value);
        return false;
    }

    /// <summary>True when <paramref name="text"/> is one JSON value and nothing else (data: no call, no code).</summary>
    private static bool IsJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // PlotlyDisplay.Wrap: polls for window.Plotly, then draws; after 10 s it says plotly.js is missing.
    [GeneratedRegex(@"^\(function \(\) \{ var tries = 0; function draw\(\) \{ if \(window\.Plotly\) \{ (?<draw>.*) \} " +
                    @"else if \(tries\+\+ < 200\) \{ setTimeout\(draw, 50\); \} else \{ document\.getElementById\('(?<id>camnb-plot-\d+)'\)\.textContent = " +
                    @"'plotly\.js is not loaded: re-run the notebook from its first cell\.'; \} \} draw\(\); \}\)\(\);$", RegexOptions.Singleline)]
    private static partial Regex Wrapper();

    // PlotlyDisplay.ToHtml(GenericChart): the figure's JSON handed to Plotly.newPlot.
    [GeneratedRegex(@"^var figure = (?<figure>.*); Plotly\.newPlot\('(?<id>camnb-plot-\d+)', figure\.data, figure\.layout, " +
                    @"Object\.assign\(\{responsive: true\}, figure\.config \|\| \{\}\)\);$", RegexOptions.Singleline)]
    private static partial Regex PlotlyNet();

    // XPlot.Plotly's GetPlottingJS: its data and layout JSON, then Plotly.newPlot.
    [GeneratedRegex(@"^var data = (?<data>.*);\s*var layout = (?<layout>.*);\s*Plotly\.newPlot\('(?<id>camnb-plot-\d+)', data, layout\);$", RegexOptions.Singleline)]
    private static partial Regex XPlot();
}
