using System.Diagnostics;
using System.Text.RegularExpressions;
using CamNotebooks.Runner;
using CamNotebooks.Tests.Notebooks;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace CamNotebooks.Tests.Live;

/// <summary>The live loop on the real chapter 02: one-cell edits, timed from the save to the new output on the page.</summary>
[Collection(StockKernelCollection.Name)]
public partial class LiveChapterTests(ITestOutputHelper output)
{
    private const string Chapter = "02_class_activation_maps.dib";

    [LinuxBrowserFact]
    public async Task Chapter_02_one_cell_edits_update_the_page_and_the_time_is_reported()
    {
        string notebook = CopyChapter();
        var cells = NotebookReader.LoadDib(notebook).Elements.ToList();
        int last = cells.FindLastIndex(c => c.KernelName != "markdown" && CanPrepend(c.Contents));
        int overlay = cells.FindIndex(c => c.KernelName != "markdown" && c.Contents.Contains("HeatmapOverlay.Create(", StringComparison.Ordinal) && CanPrepend(c.Contents));
        Assert.True(last >= 0, "chapter 02 has no code cell the test can edit");

        using var live = LiveProcess.Start(notebook, TimeSpan.FromMinutes(2));
        await using var browser = await LiveBrowser.LaunchAsync(live.Url);
        var page = await browser.OpenAsync(live.Url);
        var first = Stopwatch.StartNew();
        await LiveLoopTests.WaitForTextAsync(page, "#camnb-live-status", "Up to date", TimeSpan.FromMinutes(10));
        output.WriteLine($"first run of chapter 02 in the live kernel: {first.Elapsed.TotalSeconds:F1} s after the page opened");
        // The hero photo's prediction, found by what it prints rather than by its cell number.
        // The status and the cells' new outputs reach the page as separate events: under load the status can come first
        // (a full-suite run once read the page between the two). Wait for the output itself; the whole text on failure.
        await LiveLoopTests.WaitForTextAsync(page, "main", "Prediction: cat", TimeSpan.FromMinutes(1));
        string text = await page.InnerTextAsync("main");
        Assert.True(Regex.IsMatch(text, @"(?s)Prediction: cat.*p\(cat\) = 0\.9"), $"No hero prediction on the page after the first run. Page text:\n{text}");

        var timings = new List<string>();
        foreach (var (index, label) in new[] { (last, "last code cell"), (overlay, "the hero's CAM overlay cell") })
        {
            if (index < 0) { timings.Add($"{label}: not found in this version of the chapter"); continue; }
            string marker = $"live-edit-{Guid.NewGuid():N}"[..20];
            string source = File.ReadAllText(notebook);
            string cell = cells[index].Contents;
            Assert.Contains(cell, source);
            var save = Stopwatch.StartNew();
            File.WriteAllText(notebook, source.Replace(cell, $"Console.WriteLine(\"{marker}\");\n{cell}", StringComparison.Ordinal));
            await LiveLoopTests.WaitForTextAsync(page, $"#cell-{index + 1}", marker, TimeSpan.FromMinutes(5));
            double shown = save.Elapsed.TotalSeconds;
            await LiveLoopTests.WaitForTextAsync(page, "#camnb-live-status", "Up to date", TimeSpan.FromMinutes(5));
            double done = save.Elapsed.TotalSeconds;
            string status = await page.InnerTextAsync("#camnb-live-status");
            timings.Add($"{label} (cell {index + 1} of {cells.Count}): new output {shown:F2} s after the save, every cell below done at {done:F2} s ({status})");
            cells = NotebookReader.LoadDib(notebook).Elements.ToList();
        }
        Assert.Equal(0, await page.Locator("section.failed").CountAsync());
        Assert.Empty(browser.Problems);
        string report = string.Join("\n", timings);
        output.WriteLine(report);
        string file = Path.Combine(Repository.Root, "artifacts", "live-timing.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, $"{DateTime.UtcNow:u} live loop, chapter 02, load average {LoadAverage()}\n{report}\n");
    }

    /// <summary>A statement can go first in the cell: no using directive or #r line that must stay on top.</summary>
    private static bool CanPrepend(string code) =>
        !code.Split('\n').Any(line => UsingDirective().IsMatch(line) || line.TrimStart().StartsWith('#'));

    /// <summary>The chapter in a throw-away copy of the repository layout (library copied, data shared), so edits never touch notebooks/.</summary>
    private static string CopyChapter()
    {
        string root = Path.Combine(Path.GetTempPath(), "camnb-live-02-" + Guid.NewGuid().ToString("N"));
        Repository.CopyNotebookLibrary(root);
        Directory.CreateSymbolicLink(Path.Combine(root, "data"), Path.Combine(Repository.Root, "data"));
        Directory.CreateDirectory(Path.Combine(root, "notebooks"));
        string notebook = Path.Combine(root, "notebooks", Chapter);
        File.Copy(Path.Combine(Repository.Notebooks, Chapter), notebook);
        return notebook;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";

    [GeneratedRegex(@"^\s*using\s+[\w.]+\s*(=\s*[\w.<>]+\s*)?;")]
    private static partial Regex UsingDirective();
}
