using System.Globalization;
using CamNotebooks.Book.Building;
using CamNotebooks.Book.Rendering;
using CamNotebooks.Evaluation;
using CamNotebooks.Maps;
using CamNotebooks.Tests.Evaluation;
using CamNotebooks.Tests.Notebooks;

namespace CamNotebooks.Tests.Book;

/// <summary>
/// The explorer page in a real browser with the network cut off, on a small explorer computed here with the library (two
/// photos, two layers, every method; the real body with a seeded head) and written by the book's own writer.
/// </summary>
[Collection(StockKernelCollection.Name)]
public class ExplorerBrowserTests(UntrainedClassifierFixture fixture) : IClassFixture<UntrainedClassifierFixture>
{
    [LinuxBrowserFact]
    public async Task Picking_a_photo_a_layer_and_a_method_changes_the_picture_and_score_offline_without_a_request()
    {
        ExplorerLayer[] layers = [MapExplorer.Layers[4], MapExplorer.Layers[^1]]; // layer3.0 and layer4
        var data = MapExplorer.Compute(fixture.Model, fixture.Set, new ExplorerOptions(Layers: layers));
        string root = Path.Combine(Path.GetTempPath(), "camnb-explorer-book-" + Guid.NewGuid().ToString("N"));
        data.WriteTo(Path.Combine(root, "data"));
        string book = Path.Combine(root, "book");
        BookBuilder.WriteBook(book, BookSettings.Default, [], ExplorerSite.Read(Path.Combine(root, "data")));
        string page = Path.Combine(book, ExplorerSite.PagePath);

        await using var browser = await BookBrowser.LaunchAsync();
        var visit = await browser.VisitAsync(page, Path.Combine(BookFixtures.ScreenshotFolder, "fixture-explorer.png"));
        Assert.Empty(visit.Problems);
        Assert.Equal(1, visit.Images);
        Assert.Empty((await browser.VisitAsync(Path.Combine(book, "index.html"))).Problems); // its link from the index resolves
        foreach (int width in (int[])[390, 1280])
            Assert.Empty(await browser.LayoutProblemsAsync(page, width, Path.Combine(BookFixtures.ScreenshotFolder, $"fixture-explorer-{width}.png")));

        var (seen, requests, errors) = await browser.UseAsync(page, async p =>
        {
            async Task<(string Src, string Score, bool Loaded)> Look()
            {
                await p.WaitForFunctionAsync("() => { const i = document.getElementById('explorer-image'); return i.complete && i.naturalWidth > 0; }");
                return (await p.GetAttributeAsync("#explorer-image", "src") ?? "", await p.TextContentAsync("#explorer-score") ?? "",
                    await p.EvalOnSelectorAsync<bool>("#explorer-image", "i => i.complete && i.naturalWidth === 224"));
            }
            var steps = new List<(string Src, string Score, bool Loaded)> { await Look() };
            await p.SelectOptionAsync("#explorer-photo", "1");
            steps.Add(await Look());
            await p.SelectOptionAsync("#explorer-layer", layers[0].Name);
            steps.Add(await Look());
            await p.SelectOptionAsync("#explorer-method", LayerCam.Method.Name);
            steps.Add(await Look());
            bool camOffered = !await p.EvalOnSelectorAsync<bool>($"#explorer-method option[value='{ClassActivationMap.Method.Name}']", "o => o.disabled");
            return (steps, camOffered);
        }, width: 390);

        Assert.Empty(requests);
        Assert.Empty(errors);
        Assert.False(seen.camOffered); // CAM reads the head: not offered on layer3.0
        // The page opens on the first photo, its true class, the last stage and Grad-CAM; each pick shows that map and its score.
        int firstLabel = fixture.Set.Labels[0];
        (int Photo, string Layer, string Method)[] expected =
            [(0, layers[1].Name, GradCam.Method.Name), (1, layers[1].Name, GradCam.Method.Name), (1, layers[0].Name, GradCam.Method.Name), (1, layers[0].Name, LayerCam.Method.Name)];
        for (int i = 0; i < expected.Length; i++)
        {
            var map = data.Maps.Single(m => m.Photo == expected[i].Photo && m.ClassIndex == firstLabel && m.Layer == expected[i].Layer && m.Method == expected[i].Method);
            Assert.Equal($"{ExplorerSite.ImageFolder}/{ExplorerData.ImageFile(map)}", seen.steps[i].Src);
            Assert.True(seen.steps[i].Loaded, $"step {i}: the picture did not load");
            double score = Math.Round(map.PointingHead, 4);
            string shown = score is 0 or 1 ? score.ToString(CultureInfo.InvariantCulture) : score.ToString("0.00", CultureInfo.InvariantCulture);
            Assert.StartsWith($"Head-box pointing score: {shown}", seen.steps[i].Score);
        }
        Assert.Equal(expected.Length, seen.steps.Select(s => s.Src).Distinct().Count());
    }
}
