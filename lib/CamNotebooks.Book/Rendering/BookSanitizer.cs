using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Ganss.Xss;

namespace CamNotebooks.Book.Rendering;

/// <summary>
/// Cleans the HTML of the book's pages with HtmlSanitizer (an AngleSharp parser and allow-lists), so nothing a notebook
/// wrote can run, navigate, submit or load from the network. Two policies: <see cref="Markdown"/> for prose (no script
/// at all) and <see cref="Output"/> for what code cells displayed (the chart formatters' drawing scripts are kept, see
/// <see cref="ChartScripts"/>: that is how charts draw; the page's content policy then allows exactly those scripts by
/// hash; any other script goes).
/// </summary>
public sealed partial class BookSanitizer
{
    /// <summary>Tags of forms and of whole documents: never kept (a task list's checkbox is handled on its own).</summary>
    private static readonly string[] RemovedTags =
    [
        "form", "button", "select", "textarea", "option", "optgroup", "fieldset", "legend", "label", "datalist", "keygen",
        "output", "menuitem", "html", "head", "body", "map", "area",
    ];

    private readonly Sanitizer _sanitizer;
    private readonly List<string> _keptScripts = [];
    private readonly HashSet<IElement> _refusedScripts = [];

    private BookSanitizer(bool keepScripts)
    {
        _sanitizer = new Sanitizer();
        foreach (string tag in RemovedTags) _sanitizer.AllowedTags.Remove(tag);
        foreach (string tag in (string[])["figure", "figcaption", "details", "summary", "abbr", "sup", "sub", "input"]) _sanitizer.AllowedTags.Add(tag);
        foreach (string attribute in (string[])["class", "id", "role", "aria-label", "aria-hidden"]) _sanitizer.AllowedAttributes.Add(attribute);
        // "action", "method" and the like only matter on forms, which are gone; data: stays for embedded images only.
        _sanitizer.AllowedSchemes.Add("data");
        _sanitizer.AllowedSchemes.Add("mailto");
        // No CSS may fetch anything: url(), image-set() and @import go with the declaration that holds them.
        _sanitizer.DisallowCssPropertyValue = CssLoad();
        if (keepScripts)
        {
            _sanitizer.AllowedTags.Add("script");
            _sanitizer.AllowedTags.Add("style");
            _sanitizer.AllowedAttributes.Add("type");
            _sanitizer.AllowDataAttributes = true;
            // Scripts are kept as written (HtmlSanitizer would escape their text); each one is recorded for the policy.
            _sanitizer.EncodeLiteralTextElementContent = element =>
            {
                if (element.LocalName != "script")
                    element.TextContent = element.TextContent.Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
            };
        }
        // A script loses its src when the address is refused; its inline text must not then run in its place.
        _sanitizer.RemovingAttribute += (_, e) => { if (e.Tag.LocalName == "script") _refusedScripts.Add(e.Tag); };
        _sanitizer.PostProcessNode += (_, e) => Finish(e, keepScripts);
    }

    /// <summary>The policy for markdown: formatting, tables, images (embedded) and links stay; anything active goes.</summary>
    public static BookSanitizer Markdown() => new(keepScripts: false);

    /// <summary>The policy for HTML that code cells displayed: like <see cref="Markdown"/>, but the charts' drawing scripts and style elements stay.</summary>
    public static BookSanitizer Output() => new(keepScripts: true);

    /// <summary>The inline scripts kept so far, in order, exactly as they appear in the sanitised HTML.</summary>
    public IReadOnlyList<string> KeptScripts => _keptScripts;

    /// <summary>The sanitised form of the HTML fragment <paramref name="html"/>.</summary>
    public string Sanitize(string html) => _sanitizer.Sanitize(html);

    private void Finish(PostProcessNodeEventArgs e, bool keepScripts)
    {
        if (e.Node is not IElement element) return;
        switch (element.LocalName)
        {
            case "script":
                // Only inline scripts run: a script file (from another host or beside the page) and the copy of
                // plotly.js that charts carry inline (the page loads the one shipped beside it instead) are dropped.
                // Of the inline ones, only the chart formatters' drawing scripts run: any other script an output carries is
                // removed, as in markdown (listing it by hash in the page's policy would let it do anything).
                if (!keepScripts || _refusedScripts.Remove(element) || element.HasAttribute("src")
                    || element.HasAttribute(OfflineHtml.PlotlyScriptMarker) || !ChartScripts.IsChartScript(element.TextContent))
                    element.Remove();
                else
                    _keptScripts.Add(element.TextContent);
                break;
            case "input":
                // A task list's tick box is the only input that stays, and it cannot be changed.
                if (!string.Equals(element.GetAttribute("type"), "checkbox", StringComparison.OrdinalIgnoreCase))
                    element.Remove();
                else
                    element.SetAttribute("disabled", "disabled");
                break;
            case "a" when OfflineHtml.IsExternal(element.GetAttribute("href")):
                // Outside links open in a new tab that cannot reach back into the book.
                element.SetAttribute("target", "_blank");
                element.SetAttribute("rel", "noopener noreferrer");
                element.ClassList.Add("external");
                break;
            case "a":
                if (element.GetAttribute("target") is not null) element.RemoveAttribute("target");
                break;
        }
    }

    [GeneratedRegex(@"[<>]|url\s*\(|image-set\s*\(|@import|expression\s*\(", RegexOptions.IgnoreCase)]
    private static partial Regex CssLoad();

    /// <summary>HtmlSanitizer with two rules of the book's: data: URLs only for images, and no load from another host.</summary>
    private sealed class Sanitizer : HtmlSanitizer
    {
        protected override string? SanitizeUrl(IElement element, string url, string baseUrl)
        {
            string? sanitized = base.SanitizeUrl(element, url, baseUrl);
            if (sanitized is null) return null;
            string trimmed = sanitized.Trim();
            if (trimmed.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
                return element.LocalName == "img" && trimmed.StartsWith("data:image/", StringComparison.OrdinalIgnoreCase) ? sanitized : null;
            // Following a link is the reader's choice; anything else pointing to another host would be a load.
            if (OfflineHtml.IsExternal(trimmed) && element.LocalName != "a") return null;
            if (trimmed.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) && element.LocalName != "a") return null;
            return sanitized;
        }
    }
}
