using System.Net;
using System.Text;
using Plotly.NET;

namespace CamNotebooks.Display;

/// <summary>
/// C#-friendly titles for Plotly.NET charts. Plotly.NET.CSharp 0.14 styles axes (<c>WithXAxisStyle(TitleText: ...)</c>)
/// but has no chart-title method, and Plotly.NET's own <c>Chart.withTitle</c> is a curried F# function.
/// </summary>
public static class ChartTitles
{
    /// <summary>plotly.js draws titles on one line and cuts what does not fit: the width a chart has when none is set.</summary>
    public const int DefaultChartWidth = 700;

    /// <summary>plotly.js's default title size, in pixels.</summary>
    public const int TitleFontSize = 17;

    /// <summary>Sets the chart's title, broken into lines that fit <paramref name="chartWidth"/> pixels.</summary>
    public static GenericChart WithTitle(this GenericChart chart, string title, int chartWidth = DefaultChartWidth)
    {
        ArgumentNullException.ThrowIfNull(chart);
        // F#'s None is null at run time: no title font.
        return Plotly.NET.Chart.withTitle(Wrap(title, chartWidth), null).Invoke(chart);
    }

    /// <summary>
    /// <paramref name="title"/> (plain text) HTML-escaped and broken at spaces with plotly's <c>&lt;br&gt;</c> so that
    /// no line is wider than <paramref name="chartWidth"/> less the side margins, at <see cref="TitleFontSize"/>.
    /// </summary>
    public static string Wrap(string title, int chartWidth)
    {
        ArgumentNullException.ThrowIfNull(title);
        // About 0.6 em per character in plotly's sans-serif title font, a generous average; 40 px of margin each side.
        int perLine = Math.Max(16, (int)((chartWidth - 80) / (0.6 * TitleFontSize)));
        var lines = new List<StringBuilder> { new() };
        foreach (string word in title.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var line = lines[^1];
            if (line.Length > 0 && line.Length + 1 + word.Length > perLine) lines.Add(line = new StringBuilder());
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        return string.Join("<br>", lines.Select(l => WebUtility.HtmlEncode(l.ToString())));
    }
}
