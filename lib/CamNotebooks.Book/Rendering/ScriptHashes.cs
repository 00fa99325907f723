using System.Security.Cryptography;
using System.Text;

namespace CamNotebooks.Book.Rendering;

/// <summary>Content-Security-Policy hash sources (<c>'sha256-…'</c>): the browser runs an inline script only if its text is listed.</summary>
public static class ScriptHashes
{
    /// <summary>The hash source of one inline script's text, exactly as it stands between its tags.</summary>
    public static string Source(string scriptText) =>
        $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(scriptText)))}'";

    /// <summary>The distinct hash sources of <paramref name="scripts"/>, space-separated, in a stable order.</summary>
    public static string SourceList(IEnumerable<string> scripts) =>
        string.Join(' ', scripts.Select(Source).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
}
