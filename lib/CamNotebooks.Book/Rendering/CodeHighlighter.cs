using ColorCode;

namespace CamNotebooks.Book.Rendering;

/// <summary>Server-side syntax highlighting with ColorCode: spans with CSS classes, no script in the page.</summary>
public static class CodeHighlighter
{
    /// <summary>
    /// Highlights <paramref name="code"/> as <paramref name="language"/> (a ColorCode id or alias such as csharp, cs, c#,
    /// json, xml, html, sql, powershell) and returns a <c>&lt;pre class="code"&gt;</c> block; unknown languages are escaped as plain text.
    /// </summary>
    public static string ToHtml(string code, string? language)
    {
        code = code.Replace("\r\n", "\n").TrimEnd('\n');
        var colorCodeLanguage = Find(language);
        string body;
        if (colorCodeLanguage is null)
            body = Html.Escape(code);
        else
        {
            // ColorCode wraps its result in <div class="lang"><pre>...</pre></div>; keep only the highlighted text.
            string html = new HtmlClassFormatter().GetHtmlString(code, colorCodeLanguage);
            int start = html.IndexOf("<pre>", StringComparison.Ordinal) + "<pre>".Length;
            int end = html.LastIndexOf("</pre>", StringComparison.Ordinal);
            body = html[start..end].Trim('\n', '\r');
        }
        // ColorCode's ids include "c#"; class names keep to letters.
        string cssLanguage = colorCodeLanguage?.Id.Replace("#", "sharp", StringComparison.Ordinal) ?? "text";
        return $"<pre class=\"code language-{Html.Escape(cssLanguage)}\"><code>{body}</code></pre>";
    }

    private static ILanguage? Find(string? language) => language?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "csharp" or "cs" or "c#" => Languages.CSharp,
        "fsharp" or "fs" or "f#" => Languages.FSharp,
        "js" or "javascript" => Languages.JavaScript,
        "ps" or "ps1" or "pwsh" or "powershell" => Languages.PowerShell,
        "html" => Languages.Html,
        "xml" or "csproj" => Languages.Xml,
        string other => Languages.FindById(other),
    };
}
