using CamNotebooks.Book.Notebooks;
using CamNotebooks.Book.Rendering;
using CamNotebooks.Display;
using CamNotebooks.Evaluation;
using CamNotebooks.Maps;
using Microsoft.DotNet.Interactive.Formatting;
using CamNotebooks.Tests.Notebooks;
using ExecutedNotebook = CamNotebooks.Book.Notebooks.ExecutedNotebook;

namespace CamNotebooks.Tests.Book;

/// <summary>
/// The two tables a phone reader met scrolling sideways, at 390 px and at 1280 px, in process and without a kernel: the
/// explorer's table of every layer and method (the real layers and methods, made-up scores) and chapter 07's scoreboard
/// (made-up rows, output as the notebook outputs it), each on a page written by the book's own renderer beside its style sheet.
/// </summary>
[Collection(StockKernelCollection.Name)]
public class PhoneTableTests
{
    /// <summary>
    /// What does not fit at the page's width, one line per table in the main text (an HTML table or a text table): the
    /// table, or the box that holds it, wider than it shows (so it scrolls sideways), or reaching past the screen's right edge.
    /// </summary>
    private const string Overflows = """
        () => [...document.querySelectorAll('main table, main pre.output.tabular')].flatMap(t => {
          const out = [], view = document.documentElement.clientWidth, box = t.closest('.output, .explorer-table') || t;
          const name = (t.className || t.parentElement.className) + ' "' + t.textContent.slice(0, 30) + '"';
          if (t.scrollWidth > t.clientWidth + 1) out.push(`${name}: ${t.scrollWidth}px of table in ${t.clientWidth}px`);
          if (box !== t && box.scrollWidth > box.clientWidth + 1) out.push(`${name}: its box scrolls, ${box.scrollWidth}px in ${box.clientWidth}px`);
          if (t.getBoundingClientRect().right > view + 1) out.push(`${name}: ends at ${Math.round(t.getBoundingClientRect().right)}px of ${view}px`);
          return out;
        })
        """;

    /// <summary>For each table, whether it reads as a grid: its header row shown and every row's cells side by side on one line.</summary>
    private const string Grids = """
        () => [...document.querySelectorAll('main table')].map(t => {
          const head = t.querySelector('thead');
          return !!head && head.getBoundingClientRect().height > 0 &&
            [...t.querySelectorAll('tr')].every(r => [...r.children].every(c => Math.abs(c.getBoundingClientRect().top - r.children[0].getBoundingClientRect().top) < 1));
        })
        """;

    [LinuxBrowserFact]
    public async Task The_explorers_table_of_every_layer_and_method_fits_a_phone_and_stays_a_grid_on_a_desktop()
    {
        string[] photos = ["american_pit_bull_terrier_105.jpg", "Abyssinian_12.jpg", "great_pyrenees_177.jpg", "Egyptian_Mau_3.jpg"];
        var layers = MapExplorer.Layers.Select(l => new ExplorerSiteLayer(l.Name, l.Label)).ToList();
        var methods = CamMethods.All.Select(m => new ExplorerSiteMethod(m.Name, 1.5, m.ScoresInputs ? "it costs too many forward passes" : null, m.ScoresInputs ? 512 : 1)).ToList();
        var maps = (from photo in Enumerable.Range(0, photos.Length)
                    from cls in Enumerable.Range(0, 2)
                    from layer in layers
                    from method in CamMethods.All
                    where !method.ScoresInputs && (!method.LastStageOnly || layer.Name == ClassifierMaps.LastStage)
                    select new ExplorerSiteMap(photo, cls, layer.Name, method.Name, (photo + cls) % 3 == 0 ? 1 : 0, 100, 90, "map.png")).ToList();
        var site = new ExplorerSite(Path.GetTempPath(), ["cat", "dog"],
            photos.Select((p, i) => new ExplorerSitePhoto(p, i % 2, [0.3, 0.7], [40, 30, 150, 140])).ToList(), layers, methods, maps, 12);

        string book = WriteBook(ExplorerSite.PagePath, ExplorerPage.Render(BookSettings.Default, site));
        Directory.CreateDirectory(Path.Combine(book, ExplorerSite.ImageFolder));
        File.WriteAllBytes(Path.Combine(book, ExplorerSite.ImageFolder, "map.png"), TestImages.Encode(TestImages.Quadrants(224, 224), SkiaSharp.SKEncodedImageFormat.Png));
        await AssertFitsAsync(book, ExplorerSite.PagePath, "phone-explorer");
    }

    [LinuxBrowserFact]
    public async Task Chapter_07s_scoreboard_fits_a_phone_and_stays_a_grid_on_a_desktop()
    {
        // The chapter's eight rows, with figures of the widths a real run prints.
        var board = new Scoreboard([
            new ScoreboardRow("CAM", "body.layer4", 48.3, 4, 1, 0.301, true),
            new ScoreboardRow("Grad-CAM", "body.layer4", 61.7, 4, 1, 0.297, true),
            new ScoreboardRow("Grad-CAM++", "body.layer4", 63.2, 4, 1, 0.312, false),
            new ScoreboardRow("LayerCAM", "body.layer4", 60.9, 4, 1, 0.305, false),
            new ScoreboardRow("Score-CAM", "body.layer4", 1234.5, 1, 1, 0.287, null),
            new ScoreboardRow("Occlusion", "input", 1042.6, 1, 1, 0.266, null),
            new ScoreboardRow("Guided backprop", "input", 187.4, 4, 1, 0.215, false),
            new ScoreboardRow("Guided Grad-CAM", "body.layer4", 243.8, 4, 1, 0.254, false),
        ]);
        var notebook = new ExecutedNotebook([
            new NotebookCell("cell-1", false, "# 7. Can you trust the map?\n\n## 5. The scoreboard", []),
            new NotebookCell("cell-2", true, "scoreboard", [ScoreboardOutput(board)]),
        ]);
        var content = PageRenderer.RenderCells(notebook, null);
        // The page shows the HTML table, each figure named by its column (kept by the book's sanitizer for the phone's cards);
        // the text the chapter's tests read is the aligned table, as before.
        Assert.Contains("<td data-label=\"deletion AUC\" style=\"text-align: right\">0.215</td>", content.Body);
        Assert.Equal(board.ToText(), ((DisplayOutput)notebook.Cells[1].Outputs[0]).Data["text/plain"]);
        var page = new BookPage("07_trusting_maps.dib", PageKind.Chapter, content.Title!, null);
        string book = WriteBook(page.PagePath, PageRenderer.NotebookPage(BookSettings.Default, page, content, null, null));
        await AssertFitsAsync(book, page.PagePath, "phone-scoreboard");
    }

    /// <summary>The scoreboard's output as chapter 07 produces it: the notebook displays it, with the library's formatters.</summary>
    private static CellOutput ScoreboardOutput(Scoreboard board)
    {
        Formatters.Register();
        return new DisplayOutput(new Dictionary<string, string>
        {
            ["text/html"] = board.ToDisplayString(HtmlFormatter.MimeType),
            ["text/plain"] = board.ToDisplayString(PlainTextFormatter.MimeType),
        });
    }

    /// <summary>A book folder holding <paramref name="html"/> at <paramref name="pagePath"/> and the book's assets.</summary>
    private static string WriteBook(string pagePath, string html)
    {
        string book = Path.Combine(Path.GetTempPath(), "camnb-phone-tables-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(book);
        foreach (var (name, bytes) in BookAssets.Files()) File.WriteAllBytes(Path.Combine(book, name), bytes);
        File.WriteAllText(Path.Combine(book, pagePath), html);
        return book;
    }

    /// <summary>Fails with every problem <see cref="ProblemsAsync"/> finds on <paramref name="pagePath"/>; deletes the book after.</summary>
    private static async Task AssertFitsAsync(string book, string pagePath, string shot)
    {
        try
        {
            await using var browser = await BookBrowser.LaunchAsync();
            var problems = await ProblemsAsync(browser, Path.Combine(book, pagePath), shot);
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }
        finally
        {
            Directory.Delete(book, recursive: true);
        }
    }

    /// <summary>
    /// At 390 px: every table fits (nothing scrolls sideways, the page's own checks pass); at 1280 px: the page's checks pass
    /// and every table is a grid. Saves a screenshot of each width as <paramref name="shot"/>-390.png and -1280.png.
    /// </summary>
    private static async Task<List<string>> ProblemsAsync(BookBrowser browser, string page, string shot)
    {
        var problems = new List<string>();
        foreach (int width in (int[])[390, 1280])
        {
            problems.AddRange(await browser.LayoutProblemsAsync(page, width, Path.Combine(BookFixtures.ScreenshotFolder, $"{shot}-{width}.png")));
            var (measured, _, errors) = await browser.UseAsync(page, async p => (
                Tables: await p.EvaluateAsync<int>("() => document.querySelectorAll('main table, main pre.output.tabular').length"),
                Overflows: await p.EvaluateAsync<string[]>(Overflows), Grids: await p.EvaluateAsync<bool[]>(Grids)), width);
            Assert.True(measured.Tables > 0, "the page has no table"); // the page has its table
            if (width == 390) problems.AddRange(measured.Overflows.Select(o => $"at 390px: {o}"));
            else problems.AddRange(measured.Grids.Select((grid, i) => grid ? null : $"at 1280px: table {i} is not laid out as a grid").OfType<string>());
            problems.AddRange(errors);
        }
        return problems;
    }
}
