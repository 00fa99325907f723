using System.Globalization;
using System.Net;
using System.Text;
using CamNotebooks.Heatmaps;

namespace CamNotebooks.Display;

/// <summary>
/// A text with each token's background coloured by its map value (a map over a 1 x L grid), and a colour scale with
/// numbers under it. The words wrap like text, so it reads on a phone. Displays itself in a notebook.
/// </summary>
public sealed class TextMap
{
    private TextMap(string[] tokens, float[] values, string title, Colormap colormap, float low, float high) =>
        (Tokens, Values, Title, Colormap, Low, High) = (tokens, values, title, colormap, low, high);

    /// <summary>The tokens, in reading order.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>Each token's map value.</summary>
    public IReadOnlyList<float> Values { get; }

    /// <summary>The caption.</summary>
    public string Title { get; }

    /// <summary>The shading, from <see cref="Low"/> (darkest) to <see cref="High"/> (lightest).</summary>
    public Colormap Colormap { get; }

    /// <summary>The value shown darkest.</summary>
    public float Low { get; }

    /// <summary>The value shown lightest.</summary>
    public float High { get; }

    /// <summary>The tokens with the first <c>tokens.Count</c> values of <paramref name="values"/> (a map may be longer, padded).</summary>
    /// <param name="tokens">The words.</param>
    /// <param name="values">One value per position, at least one per token.</param>
    /// <param name="title">The caption.</param>
    /// <param name="range">The values shown darkest and lightest; null for the tokens' own minimum and maximum (pass one range
    /// to several texts to compare them).</param>
    /// <param name="colormap">null for magma.</param>
    /// <exception cref="ArgumentException">Fewer values than tokens, or a value that is not finite.</exception>
    public static TextMap Of(IReadOnlyList<string> tokens, IReadOnlyList<float> values, string title,
        (float Low, float High)? range = null, Colormap? colormap = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count < tokens.Count)
            throw new ArgumentException($"{tokens.Count} tokens but only {values.Count} values: give one value per token.", nameof(values));
        var kept = values.Take(tokens.Count).ToArray();
        if (kept.Any(v => !float.IsFinite(v)))
            throw new ArgumentException("A map value is NaN or infinite; the model's scores were probably NaN too.", nameof(values));
        var (low, high) = range ?? (kept.Length == 0 ? (0f, 0f) : (kept.Min(), kept.Max()));
        return new TextMap([.. tokens], kept, title ?? "", colormap ?? Colormap.Magma, low, high);
    }

    /// <summary>Where <paramref name="value"/> falls between <see cref="Low"/> and <see cref="High"/>, clamped to 0..1.</summary>
    public double Share(float value) => High > Low ? Math.Clamp((value - Low) / (double)(High - Low), 0, 1) : 0;

    /// <summary>The text as HTML: one span per token (value in its tooltip), then a five-step colour scale with numbers.</summary>
    public string ToHtml()
    {
        var html = new StringBuilder("<figure style=\"margin:4px 0;max-width:100%\">")
            .Append("<div style=\"font-family:sans-serif;font-size:15px;line-height:1.9;overflow-wrap:anywhere\">");
        for (int i = 0; i < Tokens.Count; i++)
            html.Append(Span(Tokens[i], Values[i], $" title=\"{Values[i].ToString("0.00", CultureInfo.InvariantCulture)}\"")).Append(' ');
        html.Append("</div><figcaption style=\"font-size:smaller;margin-top:4px\">")
            .Append(WebUtility.HtmlEncode(Title)).Append("<br/>colour scale: ");
        for (int step = 0; step <= 4; step++)
        {
            float value = Low + (High - Low) * step / 4f;
            html.Append(Span(value.ToString("0.00", CultureInfo.InvariantCulture), value, "")).Append(' ');
        }
        return html.Append("</figcaption></figure>").ToString();
    }

    private string Span(string text, float value, string attributes)
    {
        double share = Share(value);
        var (r, g, b) = Colormap[share];
        string ink = share > 0.6 ? "black" : "white";
        return string.Create(CultureInfo.InvariantCulture,
            $"<span{attributes} style=\"background:rgb({r * 255:0},{g * 255:0},{b * 255:0});color:{ink};padding:1px 3px;border-radius:3px;white-space:nowrap\">{WebUtility.HtmlEncode(text)}</span>");
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Title}: " + string.Join(" ", Tokens.Select((t, i) => string.Create(CultureInfo.InvariantCulture, $"{t}({Values[i]:0.00})")));
}
