using System.Globalization;
using System.Net;
using System.Text;

namespace CamNotebooks.Imaging;

/// <summary>
/// Pictures with their captions as text, laid out in rows: what <see cref="ImageGrid.Display"/> shows. Each picture is
/// its own PNG and each caption an HTML <c>figcaption</c> under it, so a caption is never cut and stays as readable as the
/// page's text at any width (on a narrow screen the rows wrap, the pictures shrink to fit and the captions wrap).
/// </summary>
public sealed class FigureGrid
{
    internal FigureGrid(IReadOnlyList<DisplayImage> images, IReadOnlyList<string?> captions, int columns, int padding, float fontSize)
    {
        Images = images;
        Captions = captions;
        Columns = columns;
        Padding = padding;
        FontSize = fontSize;
    }

    /// <summary>The pictures, in order.</summary>
    public IReadOnlyList<DisplayImage> Images { get; }

    /// <summary>One caption per picture (null or empty for none).</summary>
    public IReadOnlyList<string?> Captions { get; }

    /// <summary>Pictures per row on a wide page.</summary>
    public int Columns { get; }

    /// <summary>Space in CSS pixels around each picture.</summary>
    public int Padding { get; }

    /// <summary>Caption text size in CSS pixels.</summary>
    public float FontSize { get; }

    /// <summary>
    /// HTML: a block at most <see cref="Columns"/> cells wide holding one inline-block <c>figure</c> per picture (cells as
    /// wide as the widest picture), each with its picture and its caption as text. Only inline styles, so it looks the same
    /// in VS Code, Jupyter and the book.
    /// </summary>
    public string ToHtml()
    {
        int cellWidth = Images.Max(i => i.Width);
        int cellOuter = cellWidth + 2 * Padding;
        string size = FontSize.ToString("0.##", CultureInfo.InvariantCulture);
        var html = new StringBuilder($"<div class=\"camnb-figures\" style=\"max-width:{Columns * cellOuter}px\">");
        for (int i = 0; i < Images.Count; i++)
        {
            var image = Images[i];
            string caption = WebUtility.HtmlEncode(Captions[i] ?? "");
            string alt = caption.Length > 0 ? caption : $"{image.Width}x{image.Height} image";
            html.Append($"<figure style=\"display:inline-block;vertical-align:top;box-sizing:border-box;width:{cellOuter}px;max-width:100%;" +
                        $"margin:0;padding:{Padding}px;text-align:center\">");
            html.Append($"<img src=\"{image.ToDataUri()}\" width=\"{image.Width}\" height=\"{image.Height}\" alt=\"{alt}\" " +
                        "style=\"max-width:100%;height:auto\"/>");
            if (caption.Length > 0)
                html.Append($"<figcaption style=\"font-size:{size}px;line-height:1.3;overflow-wrap:anywhere\">{caption}</figcaption>");
            html.Append("</figure>");
        }
        return html.Append("</div>").ToString();
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"FigureGrid of {Images.Count} picture(s): {string.Join(" | ", Captions.Select(c => c ?? ""))}";
}
