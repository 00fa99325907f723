using System.Globalization;
using System.Net;
using System.Text;
using CamNotebooks.Evaluation;
using CamNotebooks.Exercises;
using CamNotebooks.Heatmaps;
using CamNotebooks.Imaging;
using Microsoft.DotNet.Interactive.Formatting;
using TorchSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Display;

/// <summary>
/// Teaches a Polyglot Notebook how to show this library's objects; <see cref="CamEnvironment.Initialize"/> calls <see cref="Register"/>.
/// Every formatter of the library is registered here, so the layers below never reference the notebook kernel.
/// </summary>
public static class Formatters
{
    /// <summary>
    /// Registers the offline chart formatters (<see cref="PlotlyDisplay"/>); HTML for <see cref="HeatmapOverlay"/> (the
    /// picture with its caption), <see cref="DisplayImage"/>, <see cref="FigureGrid"/> (pictures with their captions as text), <see cref="MapTable"/> and <see cref="TextMap"/>; an exercise's <see cref="CheckResult"/>
    /// as its table (with the ✔/✘ text alongside for plain-text views); chapter 07's <see cref="Scoreboard"/> as an HTML table
    /// (<see cref="ToHtml(TextTable, string)"/>) with its aligned text alongside; and a compact one-line text form for tensors
    /// (shape, dtype, device, min/mean/max; the values themselves when there are at most 16).
    /// </summary>
    public static void Register()
    {
        PlotlyDisplay.Register();
        Formatter.Register<HeatmapOverlay>((overlay, writer) => writer.Write(overlay.ToHtml()), HtmlFormatter.MimeType);
        Formatter.Register<DisplayImage>((image, writer) => writer.Write(image.ToHtml()), HtmlFormatter.MimeType);
        Formatter.Register<FigureGrid>((grid, writer) => writer.Write(grid.ToHtml()), HtmlFormatter.MimeType);
        Formatter.Register<MapTable>((table, writer) => writer.Write(table.ToHtml()), HtmlFormatter.MimeType);
        Formatter.Register<TextMap>((text, writer) => writer.Write(text.ToHtml()), HtmlFormatter.MimeType);
        Formatter.Register<CheckResult>((result, writer) => writer.Write(result.ToHtml()), HtmlFormatter.MimeType);
        Formatter.Register<CheckResult>((result, writer) => writer.Write(result.ToString()), PlainTextFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(CheckResult), HtmlFormatter.MimeType, PlainTextFormatter.MimeType);
        Formatter.Register<Scoreboard>((board, writer) => writer.Write(board.ToTable().ToHtml("scoreboard")), HtmlFormatter.MimeType);
        Formatter.Register<Scoreboard>((board, writer) => writer.Write(board.ToText()), PlainTextFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(Scoreboard), HtmlFormatter.MimeType, PlainTextFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(Tensor), PlainTextFormatter.MimeType);
        Formatter.Register<Tensor>((t, writer) => writer.Write(Describe(t)), PlainTextFormatter.MimeType);
    }

    /// <summary>HTML showing the overlay's picture with its caption underneath.</summary>
    public static string ToHtml(this HeatmapOverlay overlay)
    {
        ArgumentNullException.ThrowIfNull(overlay);
        string caption = WebUtility.HtmlEncode(overlay.Caption);
        return $"<figure style=\"display:inline-block;margin:4px\"><img src=\"{overlay.DataUri}\" width=\"{overlay.Width}\" height=\"{overlay.Height}\" " +
               $"alt=\"{caption}\"/><figcaption style=\"font-size:smaller\">{caption}</figcaption></figure>";
    }

    /// <summary>
    /// A text table as an HTML table of class <paramref name="cssClass"/>: the header in <c>thead</c>, each row's first cell as
    /// its header, every other cell with its column's name in <c>data-label</c> (so a narrow page can show each row as a
    /// card of named figures), numbers right-aligned.
    /// </summary>
    public static string ToHtml(this TextTable table, string cssClass)
    {
        ArgumentNullException.ThrowIfNull(table);
        static string Cell(string text) => WebUtility.HtmlEncode(text);
        var html = new StringBuilder($"<table class=\"{Cell(cssClass)}\"><thead><tr>");
        foreach (string header in table.Header) html.Append($"<th>{Cell(header)}</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var row in table.Rows)
        {
            html.Append($"<tr><th scope=\"row\">{Cell(row[0])}</th>");
            for (int c = 1; c < row.Count; c++)
            {
                bool number = double.TryParse(row[c], NumberStyles.Float, CultureInfo.InvariantCulture, out _);
                html.Append($"<td data-label=\"{Cell(table.Header[c])}\"{(number ? " style=\"text-align:right\"" : "")}>{Cell(row[c])}</td>");
            }
            html.Append("</tr>");
        }
        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>A one-line summary of a tensor, e.g. <c>Tensor [1, 512, 7, 7] Float32 cpu, min 0 mean 0.8 max 11.2</c>.</summary>
    public static string Describe(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.IsInvalid) return "Tensor (disposed)";
        var text = new StringBuilder($"Tensor [{string.Join(", ", tensor.shape)}] {tensor.dtype} {tensor.device}");
        if (tensor.requires_grad) text.Append(", requires grad");
        if (tensor.numel() == 0) return text.ToString();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var values = tensor.detach().cpu();
        if (values.dtype == ScalarType.Bool) values = values.to(ScalarType.Int32);
        if (values.is_complex()) return text.ToString();
        var asDouble = values.to(ScalarType.Float64);
        text.Append($", min {asDouble.min().item<double>():G4} mean {asDouble.mean().item<double>():G4} max {asDouble.max().item<double>():G4}");
        if (values.numel() <= 16)
            text.Append(": ").Append(values.ToString(TorchSharp.TensorStringStyle.Julia, fltFormat: "G4").ReplaceLineEndings(" ").Trim());
        return text.ToString();
    }
}
