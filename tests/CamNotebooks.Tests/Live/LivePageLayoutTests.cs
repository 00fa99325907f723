using CamNotebooks.Book.Live;
using CamNotebooks.Book.Rendering;
using CamNotebooks.Tests.Book;
using CamNotebooks.Tests.Notebooks;

namespace CamNotebooks.Tests.Live;

/// <summary>
/// The live loop's pages on a phone (390 px), in process and without a kernel: the page of another notebook ("Not live",
/// with the command that runs it live) rendered by <see cref="LiveSite"/> beside the book's style sheet, in Chromium.
/// </summary>
[Collection(StockKernelCollection.Name)]
public class LivePageLayoutTests
{
    private const string Meta = "#!meta\n\n{\"kernelInfo\":{\"defaultKernelName\":\"csharp\",\"items\":[{\"aliases\":[],\"name\":\"csharp\"},{\"aliases\":[],\"name\":\"markdown\"}]}}\n\n";

    [LinuxBrowserFact]
    public async Task The_not_live_page_of_a_solution_fits_a_phone_screen_command_and_all()
    {
        string root = Path.Combine(Path.GetTempPath(), "camnb-live-layout-" + Guid.NewGuid().ToString("N"));
        string notebooks = Path.Combine(root, "notebooks");
        Directory.CreateDirectory(Path.Combine(notebooks, "exercises", "solutions"));
        string Dib(string title) => Meta + $"#!markdown\n\n# {title}\n\n#!csharp\n\nConsole.WriteLine(1);\n\n";
        File.WriteAllText(Path.Combine(notebooks, "exercises", "01_forward_hook.dib"), Dib("Exercise 1: a forward hook"));
        File.WriteAllText(Path.Combine(notebooks, "exercises", "solutions", "01_forward_hook.dib"), Dib("Exercise 1: a forward hook — solution"));
        try
        {
            var site = new LiveSite(Path.Combine(notebooks, "exercises", "01_forward_hook.dib"));
            var solution = site.ForPage("exercises/solutions/01_forward_hook.html");
            Assert.NotNull(solution);
            string html = site.StaticPage(solution, BookSettings.Default, site.PagePath);
            // The command names the notebook by a path with no space to break at: it must wrap inside its note.
            Assert.Contains("solutions/01_forward_hook.dib</code></pre>", html);
            string book = Path.Combine(root, "book");
            Directory.CreateDirectory(Path.Combine(book, "exercises", "solutions"));
            foreach (var (name, bytes) in BookAssets.Files()) File.WriteAllBytes(Path.Combine(book, name), bytes);
            string page = Path.Combine(book, "exercises", "solutions", "01_forward_hook.html");
            File.WriteAllText(page, html);

            await using var browser = await BookBrowser.LaunchAsync();
            Assert.Empty(await browser.LayoutProblemsAsync(page, 390, Path.Combine(BookFixtures.ScreenshotFolder, "live-not-live-390.png")));
            // A pre scrolls rather than widen the page, so the reader sees the command cut at the screen's edge: it must not.
            var (cut, _, errors) = await browser.UseAsync(page, p => p.EvaluateAsync<string[]>(
                "() => [...document.querySelectorAll('.notebook-status pre')].filter(e => e.scrollWidth > e.clientWidth + 1)" +
                ".map(e => `${e.scrollWidth}px of text in ${e.clientWidth}px: ${e.textContent}`)"), width: 390);
            Assert.Empty(cut);
            Assert.Empty(errors);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
