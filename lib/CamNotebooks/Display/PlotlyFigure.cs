using Plotly.NET;

namespace CamNotebooks.Display;

/// <summary>
/// Builds Plotly.NET charts from C# by naming plotly.js attributes directly.
/// </summary>
/// <remarks>
/// Plotly.NET is written in F#: its <c>Chart.Heatmap(...)</c>-style functions take dozens of F# optional arguments that C#
/// must all spell out. Its traces and layouts are dynamic objects, though, so setting the few attributes we need by
/// their plotly.js names (<c>z</c>, <c>opacity</c>, <c>colorscale</c>...) is shorter and maps one to one onto the
/// plotly.js reference.
/// </remarks>
public static class PlotlyFigure
{
    /// <summary>A trace of the given plotly.js type (<c>"heatmap"</c>, <c>"image"</c>, <c>"scatter"</c>...) with attributes.</summary>
    public static Trace Trace(string type, params (string Name, object? Value)[] attributes)
    {
        var trace = new Trace2D(type);
        foreach (var (name, value) in attributes)
            if (value is not null) trace.SetProperty(name, value);
        return trace;
    }

    /// <summary>A layout with the given plotly.js attributes (nested objects as dictionaries or anonymous objects).</summary>
    public static Layout Layout(params (string Name, object? Value)[] attributes)
    {
        var layout = new Layout();
        foreach (var (name, value) in attributes)
            if (value is not null) layout.SetProperty(name, value);
        return layout;
    }

    /// <summary>A chart of several traces sharing one layout.</summary>
    public static GenericChart Chart(IEnumerable<Trace> traces, Layout layout) =>
        GenericChart.setLayout(layout, GenericChart.ofTraceObjects(true, traces.ToArray()));
}
