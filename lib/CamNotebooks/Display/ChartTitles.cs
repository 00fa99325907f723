using Plotly.NET;

namespace CamNotebooks.Display;

/// <summary>
/// C#-friendly titles for Plotly.NET charts. Plotly.NET.CSharp 0.14 styles axes (<c>WithXAxisStyle(TitleText: ...)</c>)
/// but has no chart-title method, and Plotly.NET's own <c>Chart.withTitle</c> is a curried F# function.
/// </summary>
public static class ChartTitles
{
    /// <summary>Sets the chart's title.</summary>
    public static GenericChart WithTitle(this GenericChart chart, string title)
    {
        ArgumentNullException.ThrowIfNull(chart);
        // F#'s None is null at run time: no title font.
        return Plotly.NET.Chart.withTitle(title, null).Invoke(chart);
    }
}
