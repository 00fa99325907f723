using System.Text.RegularExpressions;

namespace CamNotebooks.Data;

/// <summary>
/// Turns text into the words a text classifier reads: personal data masked as in <c>data/spam-assassin/prepare.py</c>
/// (e-mail addresses, web addresses, phone numbers), lower case, then runs of letters and digits (with an inner apostrophe)
/// plus <c>$</c> and <c>!</c>, which mail writers use on purpose.
/// </summary>
public static partial class TextTokens
{
    /// <summary>The placeholders masked text holds instead of personal data; each is one token.</summary>
    public static IReadOnlyList<string> Placeholders { get; } = ["[email]", "[url]", "[phone]", "[name]"];

    /// <summary>Replaces e-mail addresses with [email], web addresses, domain names and IP addresses with [url], phone
    /// numbers with [phone]. Names cannot be found by a pattern; the corpus script masks them from name lists.</summary>
    public static string Mask(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = Email().Replace(text, " [email] ");
        text = Url().Replace(text, " [url] ");
        text = Domain().Replace(text, " [url] ");
        text = IpAddress().Replace(text, " [url] ");
        return Phone().Replace(text, m => m.Value.Count(char.IsAsciiDigit) is >= 7 and <= 15 ? " [phone] " : m.Value);
    }

    /// <summary>The tokens of <paramref name="text"/>: masked, lower-cased, words, placeholders, <c>$</c> and <c>!</c>.</summary>
    public static IReadOnlyList<string> Tokenize(string text) =>
        Token().Matches(Mask(text).ToLowerInvariant()).Select(m => m.Value).ToList();

    [GeneratedRegex(@"[\w.+=%-]+@[\w.-]*[\w-]")]
    private static partial Regex Email();

    [GeneratedRegex(@"(?:https?://|ftp://|mailto:|www\.)[^\s<>""')\]]+", RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    [GeneratedRegex(@"\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|edu|gov|biz|info|us|uk|ie|de|fr|nl|ca|au|jp|cn|tv|cc|ws)\b(?:/[^\s<>""')\]]*)?", RegexOptions.IgnoreCase)]
    private static partial Regex Domain();

    [GeneratedRegex(@"\b\d{1,3}(?:\.\d{1,3}){3}\b")]
    private static partial Regex IpAddress();

    [GeneratedRegex(@"\+\d[\d .()-]{7,}\d|(?<![\w.])(?:1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}(?!\w)|(?<![\w.])0\d{1,3}[ -]\d{5,8}(?!\w)")]
    private static partial Regex Phone();

    [GeneratedRegex(@"\[(?:email|url|phone|name)\]|[a-z0-9]+(?:'[a-z]+)?|[$!]")]
    private static partial Regex Token();
}
