using System.Text;

namespace CamNotebooks.Book.Rendering;

/// <summary>HTML escaping that keeps non-ASCII text as UTF-8 (WebUtility would turn "·" or "é" into numeric entities).</summary>
public static class Html
{
    /// <summary>Escapes the five characters that matter in HTML text and attribute values.</summary>
    public static string Escape(string text)
    {
        if (text.AsSpan().IndexOfAny("&<>\"'") < 0) return text;
        var escaped = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            escaped.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => null,
            } ?? c.ToString());
        }
        return escaped.ToString();
    }
}
