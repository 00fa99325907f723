using System.Text.RegularExpressions;

namespace CamNotebooks.Data;

/// <summary>
/// Turns text into the words a text classifier reads: personal data masked as in <c>data/spam-assassin/prepare.py</c>
/// (e-mail addresses, web addresses, phone numbers), lower case, then runs of letters and digits (with an inner apostrophe)
/// plus <c>$</c> and <c>!</c>, which mail writers use on purpose.
/// </summary>
public static class TextTokens
{
    /// <summary>The placeholders masked text holds instead of personal data; each is one token.</summary>
    public static IReadOnlyList<string> Placeholders { get; } = ["[email]", "[url]", "[phone]", "[name]"];

    /// <summary>Replaces e-mail addresses with [email], web addresses, domain names and IP addresses with [url], phone
    /// numbers with [phone]. Names cannot be found by a pattern; the corpus script masks them from name lists.</summary>
    public static string Mask(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = EmailPattern.Replace(text, " [email] ");
        text = UrlPattern.Replace(text, " [url] ");
        text = DomainPattern.Replace(text, " [url] ");
        text = IpAddressPattern.Replace(text, " [url] ");
        return PhonePattern.Replace(text, m => m.Value.Count(char.IsAsciiDigit) is >= 7 and <= 15 ? " [phone] " : m.Value);
    }

    /// <summary>The tokens of <paramref name="text"/>: masked, lower-cased, words, placeholders, <c>$</c> and <c>!</c>.</summary>
    public static IReadOnlyList<string> Tokenize(string text) =>
        TokenPattern.Matches(Mask(text).ToLowerInvariant()).Select(m => m.Value).ToList();

    private static readonly Regex EmailPattern = new(@"[\w.+=%-]+@[\w.-]*[\w-]", RegexOptions.CultureInvariant | RegexOptions.Compiled);

    private static readonly Regex UrlPattern = new(@"(?:https?://|ftp://|mailto:|www\.)[^\s<>""')\]]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);

    private static readonly Regex DomainPattern = new(@"\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|edu|gov|biz|info|us|uk|ie|de|fr|nl|ca|au|jp|cn|tv|cc|ws)\b(?:/[^\s<>""')\]]*)?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);

    private static readonly Regex IpAddressPattern = new(@"\b\d{1,3}(?:\.\d{1,3}){3}\b", RegexOptions.CultureInvariant | RegexOptions.Compiled);

    private static readonly Regex PhonePattern = new(@"\+\d[\d .()-]{7,}\d|(?<![\w.])(?:1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}(?!\w)|(?<![\w.])0\d{1,3}[ -]\d{5,8}(?!\w)", RegexOptions.CultureInvariant | RegexOptions.Compiled);

    private static readonly Regex TokenPattern = new(@"\[(?:email|url|phone|name)\]|[a-z0-9]+(?:'[a-z]+)?|[$!]", RegexOptions.CultureInvariant | RegexOptions.Compiled);
}
