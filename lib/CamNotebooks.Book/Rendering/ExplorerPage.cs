using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CamNotebooks.Book.Rendering;

/// <summary>
/// The "Which layer, which method?" page: a reader picks a photo, a class, a layer and a method and sees the precomputed
/// overlay with its head box, its peak and its head-box pointing score. One inline script (Assets/explorer.js, listed by
/// hash in the page's content policy with the data it reads, no inline handler) swaps the picture; every picture is a
/// file beside the page; nothing is fetched.
/// </summary>
public static class ExplorerPage
{
    /// <summary>The page's title.</summary>
    public const string Title = "Which layer, which method?";

    /// <summary>The photo's side on the network's crop, in pixels: head boxes and peaks are given on it.</summary>
    private const double Crop = 224;

    /// <summary>The complete page for <paramref name="site"/>.</summary>
    public static string Render(BookSettings book, ExplorerSite site)
    {
        ArgumentNullException.ThrowIfNull(book);
        ArgumentNullException.ThrowIfNull(site);
        var included = site.Methods.Where(m => m.Excluded is null && site.Maps.Any(x => x.Method == m.Name)).ToList();
        // The data the script reads, in a script of its own before it: both are listed by hash.
        string data = "var data = " + DataJson(site) + ";";
        var html = new StringBuilder();
        PageRenderer.Head(html, book, ExplorerSite.PagePath, Title, drawsCharts: false, [data, PageScripts.Explorer]);
        html.Append("<body class=\"explorer-page\">\n<a class=\"skip-link\" href=\"#content\">Skip to the content</a>\n");
        html.Append($"<header class=\"site-header\"><a class=\"home\" href=\"index.html\">{Html.Escape(book.Title)}</a><span class=\"track\">Explorer</span></header>\n");
        html.Append("<div class=\"layout single\">\n<main id=\"content\">\n");
        html.Append($"<h1>{Title}</h1>\n");
        html.Append("<p>Learners of Grad-CAM ask this more than anything else: <em>which layer should I use?</em> Here you can look for yourself, ")
            .Append("without a kernel. Pick a photo, the class the map should explain, a layer of the ResNet body (every block; a stage's ")
            .Append("output is its last block's) and a method. The picture shows that map over the photo, the photo's head box (dashed) and the ")
            .Append("map's peak (white cross); below it, the map's <strong>head-box pointing score</strong>, as chapter 05 measures it: 1 when the ")
            .Append("peak of the map, stretched to 224 x 224, lies inside the head box, 0 when it does not.</p>\n");
        html.Append("<div class=\"explorer-controls\">\n");
        Select(html, "explorer-photo", "Photo", site.Photos.Select((p, i) => (i.ToString(CultureInfo.InvariantCulture), $"{p.FileName} ({site.ClassNames[p.Label]})")));
        Select(html, "explorer-class", "Class", site.ClassNames.Select((c, i) => (i.ToString(CultureInfo.InvariantCulture), c)),
            site.Photos.Count > 0 ? site.Photos[0].Label.ToString(CultureInfo.InvariantCulture) : null);
        string? deepest = site.Layers.Count > 0 ? site.Layers[^1].Name : null;
        Select(html, "explorer-layer", "Layer", site.Layers.Select(l => (l.Name, l.Label)), deepest);
        Select(html, "explorer-method", "Method", included.Select(m => (m.Name, m.Name)),
            included.Select(m => m.Name).FirstOrDefault(n => n == "Grad-CAM"));
        html.Append("</div>\n");
        var initial = site.Photos.Count == 0 || deepest is null ? null
            : site.Maps.FirstOrDefault(m => m.Photo == 0 && m.ClassIndex == site.Photos[0].Label && m.Layer == deepest && m.Method == "Grad-CAM")
              ?? site.Maps.FirstOrDefault();
        html.Append("<figure class=\"explorer-view\">\n<div class=\"explorer-frame\">");
        html.Append(initial is null
            ? "<img id=\"explorer-image\" alt=\"no map\" width=\"224\" height=\"224\">"
            : $"<img id=\"explorer-image\" src=\"{ExplorerSite.ImageFolder}/{Html.Escape(initial.Image)}\" alt=\"{Html.Escape($"{initial.Method} map on {initial.Layer}")}\" width=\"224\" height=\"224\">");
        html.Append("<span class=\"explorer-box\" id=\"explorer-box\"></span><span class=\"explorer-peak\" id=\"explorer-peak\"></span></div>\n");
        html.Append("<figcaption id=\"explorer-caption\"></figcaption>\n</figure>\n");
        html.Append("<p class=\"explorer-score\" id=\"explorer-score\" aria-live=\"polite\"></p>\n<p class=\"explorer-mean\" id=\"explorer-mean\"></p>\n");
        SummaryTable(html, site, included);
        About(html, site);
        html.Append("</main>\n</div>\n");
        html.Append("<footer class=\"site-footer\">Computed when the book was built, from the chapters' classifier and photos; works offline.</footer>\n");
        html.Append($"<script>{data}</script>\n<script>{PageScripts.Explorer}</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Select(StringBuilder html, string id, string label, IEnumerable<(string Value, string Text)> options, string? selected = null)
    {
        html.Append($"<label for=\"{id}\">{label}</label><select id=\"{id}\">");
        foreach (var (value, text) in options)
            html.Append($"<option value=\"{Html.Escape(value)}\"{(value == selected ? " selected" : "")}>{Html.Escape(text)}</option>");
        html.Append("</select>\n");
    }

    private static void SummaryTable(StringBuilder html, ExplorerSite site, IReadOnlyList<ExplorerSiteMethod> methods)
    {
        html.Append("<h2 id=\"all-photos\">Every layer and method at once</h2>\n");
        html.Append($"<p>The head-box pointing score of each layer and method, averaged over the {site.Photos.Count} photos, each map explaining the ")
            .Append($"photo's true class. The head box covers {Number(site.Photos.Average(p => (double)(p.HeadBox[2] - p.HeadBox[0]) * (p.HeadBox[3] - p.HeadBox[1]) / (Crop * Crop)))} ")
            .Append("of the picture on average: a map that ignores the photo scores about that.</p>\n");
        html.Append("<div class=\"explorer-table\"><table>\n<thead><tr><th>layer</th>");
        foreach (var method in methods) html.Append($"<th>{Html.Escape(method.Name)}</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var layer in site.Layers)
        {
            html.Append($"<tr><th>{Html.Escape(layer.Label)}</th>");
            foreach (var method in methods)
            {
                var scores = site.Maps.Where(m => m.Layer == layer.Name && m.Method == method.Name && m.ClassIndex == site.Photos[m.Photo].Label)
                    .Select(m => m.PointingHead).ToList();
                html.Append(scores.Count == 0 ? "<td class=\"na\">–</td>" : $"<td>{Number(scores.Average())}</td>");
            }
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table></div>\n");
        html.Append("<p>A dash: the method does not apply there (CAM reads the head's weights, so it only explains the last stage).</p>\n");
    }

    private static void About(StringBuilder html, ExplorerSite site)
    {
        html.Append("<h2 id=\"how\">How this page was made</h2>\n<p>When the book was built, the chapters' classifier (the frozen pretrained ")
            .Append($"body with the head trained as in chapter 02, seed 0) computed {site.Maps.Count} maps: {site.Photos.Count} validation photos, ")
            .Append($"{site.ClassNames.Count} classes, {site.Layers.Count} layers, with every method of the library's list that applies to the layer. ")
            .Append("The score is the library's own pointing game (<code>LocalizationMetrics.PointingHit</code>), the picture its own overlay ")
            .Append("(<code>MapOverlay.Blend</code>, magma, opacity 0.6), saved as a small JPEG.</p>\n<ul class=\"explorer-methods\">\n");
        foreach (var method in site.Methods)
            html.Append(method.Excluded is null
                ? $"<li><strong>{Html.Escape(method.Name)}</strong>: {method.Seconds.ToString("0.0", CultureInfo.InvariantCulture)} s for its maps; one layer costs about {method.Cost.ToString("0.0", CultureInfo.InvariantCulture)} plain forward passes.</li>\n"
                : $"<li><strong>{Html.Escape(method.Name)}</strong> is not here: {Html.Escape(method.Excluded)}.</li>\n");
        html.Append("</ul>\n");
    }

    private static string Number(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>What the script reads: the class names, the photos, and each map as [score, peak x, peak y, picture].</summary>
    private static string DataJson(ExplorerSite site)
    {
        var data = new
        {
            folder = ExplorerSite.ImageFolder,
            classes = site.ClassNames,
            photos = site.Photos.Select(p => new { name = p.FileName, label = p.Label, probabilities = p.Probabilities, box = p.HeadBox }),
            maps = site.Maps.ToDictionary(m => $"{m.Photo}|{m.ClassIndex}|{m.Layer}|{m.Method}",
                m => new object[] { Math.Round(m.PointingHead, 4), m.PeakX, m.PeakY, m.Image }),
        };
        // The default encoder escapes <, > and &, so the data cannot close the script element.
        return JsonSerializer.Serialize(data);
    }
}
