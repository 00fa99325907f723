using System.Text;
using System.Text.Json;

namespace CamNotebooks.Book.Rendering;

/// <summary>
/// Recognises the scripts the chart formatters write, so that only they run in a page: the library's <c>PlotlyDisplay</c>
/// (Plotly.NET and XPlot.Plotly charts) and Plotly.NET's own HTML (with or without its require.js loader). Each is a fixed
/// template whose only variable parts are the chart's element id, a function name, a plotly.js address for require.js
/// (which the page answers locally) and the chart's data, which must be plain JSON: no call, no code. Whitespace between
/// the template's tokens may differ. Any other script in an output is not a chart's and does not run in the book.
/// </summary>
public static class ChartScripts
{
    // Holes: {id} an element id, {name} an identifier, {url} the text of a quoted string, {json} one JSON value.
    // A hole that appears twice must be filled the same way both times.
    private const string Waiting =
        "(function () { var tries = 0; function draw() { if (window.Plotly) { {draw} } else if (tries++ < 200) { setTimeout(draw, 50); } " +
        "else { document.getElementById('{id}').textContent = 'plotly.js is not loaded: re-run the notebook from its first cell.'; } } draw(); })();";

    private static readonly string[] Templates =
    [
        // PlotlyDisplay.ToHtml(GenericChart): the figure's JSON handed to Plotly.newPlot.
        Waiting.Replace("{draw}", "var figure = {json}; Plotly.newPlot('{id}', figure.data, figure.layout, Object.assign({responsive: true}, figure.config || {}));", StringComparison.Ordinal),
        // PlotlyDisplay.ToHtml(PlotlyChart): XPlot.Plotly's GetPlottingJS.
        Waiting.Replace("{draw}", "var data = {json}; var layout = {json2}; Plotly.newPlot('{id}', data, layout);", StringComparison.Ordinal),
        // Plotly.NET's own HTML (what Plotly.NET.Interactive's formatter displays): require.js loads plotly.js, unless
        // "requirejs" is already defined (the book's page defines it and answers with its local plotly.js).
        "var renderPlotly_{name} = function() { var fsharpPlotlyRequire = requirejs.config({context:'fsharp-plotly',paths:{plotly:'{url}'}}) || require; " +
        "fsharpPlotlyRequire(['plotly'], function(Plotly) { var data = {json}; var layout = {json2}; var config = {json3}; " +
        "Plotly.newPlot('{id}', data, layout, config); }); }; " +
        "if ((typeof(requirejs) !== typeof(Function)) || (typeof(requirejs.config) !== typeof(Function))) { " +
        "var script = document.createElement(\"script\"); script.setAttribute(\"charset\", \"utf-8\"); " +
        "script.setAttribute(\"src\", \"https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.6/require.min.js\"); " +
        "script.onload = function(){ renderPlotly_{name}(); }; document.getElementsByTagName(\"head\")[0].appendChild(script); } " +
        "else { renderPlotly_{name}(); }",
        // Plotly.NET's own HTML when plotly.js is referenced directly.
        "var renderPlotly_{name} = function() { var data = {json}; var layout = {json2}; var config = {json3}; " +
        "Plotly.newPlot('{id}', data, layout, config); }; renderPlotly_{name}();",
    ];

    /// <summary>True when <paramref name="script"/> is exactly one of the chart formatters' drawing scripts.</summary>
    public static bool IsChartScript(string script) => Templates.Any(t => Matches(t, script));

    private static bool Matches(string template, string script)
    {
        var holes = new Dictionary<string, string>(StringComparer.Ordinal);
        int t = 0, s = 0;
        while (true)
        {
            t = SkipSpace(template, t);
            s = SkipSpace(script, s);
            if (t == template.Length) return s == script.Length;
            if (template[t] == '{' && template.IndexOf('}', t) is var close and > 0
                && template.AsSpan(t + 1, close - t - 1) is var hole && IsHoleName(hole))
            {
                string name = hole.ToString();
                int end = HoleEnd(name, script, s);
                if (end < 0) return false;
                string value = script[s..end];
                if (holes.TryGetValue(name, out string? earlier) && earlier != value) return false;
                holes[name] = value;
                s = end;
                t = close + 1;
                continue;
            }
            if (s == script.Length || script[s] != template[t]) return false;
            s++;
            t++;
        }
    }

    private static bool IsHoleName(ReadOnlySpan<char> name) =>
        name is "id" or "name" or "url" || (name.StartsWith("json") && name.Length <= 5);

    private static int SkipSpace(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
        return i;
    }

    /// <summary>Where the hole's value that starts at <paramref name="start"/> ends, or -1 when there is no such value.</summary>
    private static int HoleEnd(string hole, string script, int start)
    {
        int i = start;
        switch (hole)
        {
            case "id":
                while (i < script.Length && (char.IsAsciiLetterOrDigit(script[i]) || script[i] is '-' or '_')) i++;
                return i > start ? i : -1;
            case "name":
                while (i < script.Length && (char.IsAsciiLetterOrDigit(script[i]) || script[i] == '_')) i++;
                return i > start ? i : -1;
            case "url":
                while (i < script.Length && script[i] is not ('\'' or '"' or '\\' or '<' or '\n')) i++;
                return i;
            default:
                return JsonEnd(script, start);
        }
    }

    /// <summary>The end of the one JSON value (object or array) that starts at <paramref name="start"/>, or -1.</summary>
    private static int JsonEnd(string script, int start)
    {
        // An object, an array, or a string (XPlot writes `var layout = "";` for a chart without a layout).
        if (start >= script.Length || script[start] is not ('{' or '[' or '"')) return -1;
        byte[] bytes = Encoding.UTF8.GetBytes(script[start..]);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowMultipleValues = true, MaxDepth = 256 });
        try
        {
            if (!reader.Read() || !reader.TrySkip()) return -1;
        }
        catch (JsonException)
        {
            return -1;
        }
        return start + Encoding.UTF8.GetCharCount(bytes, 0, checked((int)reader.BytesConsumed));
    }
}
