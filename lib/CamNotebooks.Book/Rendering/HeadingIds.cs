using System.Globalization;
using System.Text;

namespace CamNotebooks.Book.Rendering;

/// <summary>
/// Gives headings readable anchor ids ("the-first-cell") that stay unique across a whole page. Markdig's own
/// identifiers are unique per markdown document only, and every notebook cell is a separate document.
/// </summary>
public sealed class HeadingIds
{
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    /// <summary>Creates the registry; <paramref name="reserved"/> ids (cell anchors, chart ids) are never handed out.</summary>
    public HeadingIds(IEnumerable<string>? reserved = null)
    {
        foreach (string id in reserved ?? []) _used.Add(id);
    }

    /// <summary>The id for a heading reading <paramref name="text"/>: its slug, then slug-2, slug-3, ... on repeats.</summary>
    public string Next(string text)
    {
        string slug = Slug(text);
        string id = slug;
        for (int n = 2; !_used.Add(id); n++) id = $"{slug}-{n}";
        return id;
    }

    /// <summary>Lower-case letters and digits joined by single dashes; accents dropped; "section" when nothing is left.</summary>
    public static string Slug(string text)
    {
        var slug = new StringBuilder();
        foreach (char c in text.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsAsciiLetterOrDigit(c)) slug.Append(char.ToLowerInvariant(c));
            else if (slug.Length > 0 && slug[^1] != '-') slug.Append('-');
        }
        string result = slug.ToString().Trim('-');
        return result.Length == 0 ? "section" : result;
    }
}
