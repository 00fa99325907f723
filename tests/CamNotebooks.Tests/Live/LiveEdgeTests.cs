using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using CamNotebooks.Tests.Notebooks;

namespace CamNotebooks.Tests.Live;

/// <summary>
/// The live loop at its edges (issue 21, item 3): every link of a live page answers, other hosts are refused, and a cell
/// that throws on a background thread or never ends does not take the server (or the learner's next save) down.
/// Plain HTTP against the child process; no browser needed.
/// </summary>
[Collection(StockKernelCollection.Name)]
public partial class LiveEdgeTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private const string Meta = "#!meta\n\n{\"kernelInfo\":{\"defaultKernelName\":\"csharp\",\"items\":[{\"aliases\":[],\"name\":\"csharp\"},{\"aliases\":[],\"name\":\"markdown\"}]}}\n\n";

    private static string Notebook(string title, params string[] cells) =>
        Meta + $"#!markdown\n\n# {title}\n\n" + string.Concat(cells.Select(c => c.StartsWith("md:", StringComparison.Ordinal)
            ? $"#!markdown\n\n{c[3..]}\n\n"
            : $"#!csharp\n\n{c}\n\n"));

    /// <summary>Writes <paramref name="text"/> as <paramref name="fileName"/> in a fresh temporary folder (under <paramref name="subfolder"/> when given) and returns its path.</summary>
    private static string WriteNotebook(string fileName, string text, string? subfolder = null)
    {
        string folder = Path.Combine(Path.GetTempPath(), "camnb-live-edges-" + Guid.NewGuid().ToString("N"), subfolder ?? "");
        Directory.CreateDirectory(folder);
        string notebook = Path.Combine(folder, fileName);
        File.WriteAllText(notebook, text);
        return notebook;
    }

    /// <summary>A notebooks folder laid out as the repository's: chapters, exercises and their solutions.</summary>
    private static string Tree()
    {
        string root = Path.Combine(Path.GetTempPath(), "camnb-live-edges-" + Guid.NewGuid().ToString("N"), "notebooks");
        Directory.CreateDirectory(Path.Combine(root, "exercises", "solutions"));
        File.WriteAllText(Path.Combine(root, "00_start.dib"), Notebook("Start here", "Console.WriteLine(\"chapter ran\");", "md:Next: [the exercise](exercises/01_first.dib)"));
        File.WriteAllText(Path.Combine(root, "01_chapter.dib"), Notebook("A chapter", "Console.WriteLine(1);"));
        File.WriteAllText(Path.Combine(root, "exercises", "01_first.dib"), Notebook("Exercise 1: first",
            "Console.WriteLine(\"exercise ran\");",
            "md:Next: [Exercise 2: second](02_second.dib)\n\nStuck? The answer is in [solutions/01_first.dib](solutions/01_first.dib). Back to [the chapter](../01_chapter.dib#a-chapter)."));
        File.WriteAllText(Path.Combine(root, "exercises", "02_second.dib"), Notebook("Exercise 2: second", "Console.WriteLine(2);"));
        File.WriteAllText(Path.Combine(root, "exercises", "solutions", "01_first.dib"), Notebook("Exercise 1: first (solution)", "Console.WriteLine(3);"));
        return root;
    }

    private static HttpClient Client() => new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Polls the page until its status bar holds <paramref name="text"/>; returns the page.</summary>
    private static Task<string> WaitForStatusAsync(LiveProcess live, string text, TimeSpan? bound = null) =>
        WaitForPageAsync(live, page => Status().Match(page) is { Success: true } status &&
                                       WebUtility.HtmlDecode(status.Groups[1].Value).Contains(text, StringComparison.Ordinal),
            bound, $"the status never said '{text}'");

    [Fact]
    public async Task Every_link_of_a_live_exercise_page_answers_and_index_is_not_a_redirect_to_itself()
    {
        string root = Tree();
        using var live = LiveProcess.Start(Path.Combine(root, "exercises", "01_first.dib"), TimeSpan.FromMinutes(2));
        string page = await WaitForStatusAsync(live, "Up to date");
        var pageUri = new Uri(live.Url);
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };
        var links = Href().Matches(page).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).Where(h => !h.StartsWith('#')).Distinct().ToList();
        // The pager (previous, contents, next), the header, the downloads, and the three links of the markdown.
        Assert.True(links.Count >= 7, string.Join("\n", links));
        foreach (string link in links)
        {
            var target = new Uri(pageUri, link);
            Assert.Equal(pageUri.Authority, target.Authority);
            using var response = await client.GetAsync(target);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{link} -> {target}: {(int)response.StatusCode} {response.Headers.Location}");
            string body = await response.Content.ReadAsStringAsync();
            Assert.False(string.IsNullOrWhiteSpace(body), $"{link}: empty");
            if (target.AbsolutePath.EndsWith(".html", StringComparison.Ordinal) && target.AbsolutePath != pageUri.AbsolutePath && target.AbsolutePath != "/index.html")
            {
                Assert.Contains("<main", body);
                Assert.Contains("Not live", body); // another notebook opens as a page that says how to run it live
            }
        }
        string second = await client.GetStringAsync(new Uri(pageUri, "02_second.html"));
        Assert.Contains("Exercise 2: second", second);
        Assert.Contains("live", second);
        // No book build ran it here: its page and .ipynb have no outputs, and the page does not promise any.
        Assert.DoesNotContain("with outputs", second); // was: "notebook with outputs (.ipynb)"
        Assert.Contains("notebook without outputs (.ipynb)", second);
        Assert.DoesNotContain("Executed from", second);
        Assert.Contains("notebook with outputs (.ipynb)", page); // the live notebook's own .ipynb has them
        string index = await client.GetStringAsync(new Uri(pageUri, "../index.html"));
        Assert.Contains("01_first", index);
        Assert.Contains("00_start", index);
        // The footer says what the live loop serves, not what a book build does.
        Assert.DoesNotContain("Every page was executed", index); // was: "Every page was executed ... and works offline"
        Assert.Contains("live loop", Regex.Match(index, "<footer[^>]*>(.*?)</footer>", RegexOptions.Singleline).Groups[1].Value);
        // An address that names nothing is a page that says so and links back, not a blank 404.
        using var missing = await client.GetAsync(new Uri(pageUri, "no-such-page.html"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("01_first.html", await missing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_request_whose_host_is_not_the_loopback_address_and_port_is_refused()
    {
        string root = Tree();
        using var live = LiveProcess.Start(Path.Combine(root, "01_chapter.dib"), TimeSpan.FromMinutes(2));
        await WaitForStatusAsync(live, "Up to date");
        var uri = new Uri(live.Url);
        using var client = Client();
        foreach (string host in new[] { $"attacker.example:{uri.Port}", "attacker.example", $"127.0.0.1:{uri.Port + 1}" })
        {
            foreach (string path in new[] { uri.AbsolutePath, "/01_chapter.ipynb", "/01_chapter.dib", "/events" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(uri, path));
                request.Headers.Host = host;
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"Host {host}, {path}: {(int)response.StatusCode}"); // was: 200 with the notebook
                Assert.DoesNotContain("Console.WriteLine", await response.Content.ReadAsStringAsync());
            }
        }
        using var own = new HttpRequestMessage(HttpMethod.Get, uri);
        own.Headers.Host = $"localhost:{uri.Port}";
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(own)).StatusCode);
    }

    [Fact]
    public async Task A_background_thread_that_throws_is_shown_at_its_cell_and_the_server_and_kernel_live_on()
    {
        string notebook = WriteNotebook("throws.dib", Notebook("Throws on a thread",
            "var kernelId = Guid.NewGuid().ToString(\"N\")[..8];\nConsole.WriteLine($\"kernel={kernelId}\");",
            "var t = new System.Threading.Thread(() => throw new InvalidOperationException(\"thrown on a background thread\"));\nt.Start(); t.Join();\nConsole.WriteLine(\"after the thread\");",
            "Console.WriteLine($\"below kernel={kernelId}\");"));
        using var live = LiveProcess.Start(notebook, TimeSpan.FromMinutes(2));
        string page = await WaitForStatusAsync(live, "thrown on a background thread"); // was: the process ended with 134
        Assert.Contains("InvalidOperationException", page);
        string kernel = KernelId().Match(page).Groups[1].Value;
        Assert.Matches("^[0-9a-f]{8}$", kernel);
        LiveLoopTests.Edit(notebook, "throw new InvalidOperationException(\"thrown on a background thread\")", "Console.WriteLine(\"fixed thread\")");
        page = await WaitForStatusAsync(live, "Up to date");
        Assert.Contains($"below kernel={kernel}", page); // the same kernel
        Assert.Contains("fixed thread", page);
        Assert.Equal(0, live.Interrupt(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task A_hung_cell_times_out_and_a_save_that_fixes_it_gets_through()
    {
        string notebook = WriteNotebook("hangs.dib", Notebook("Hangs",
            "var runs = 0;",
            "runs++;\nwhile (true) { }",
            "Console.WriteLine($\"below runs={runs}\");"));
        // 30 s: the first cell warms the compiler up, slow on a busy machine. Was: an unknown option.
        using var live = LiveProcess.Start(notebook, TimeSpan.FromMinutes(2), "--cell-timeout", "30");
        string page = await WaitForStatusAsync(live, "Fix it and save", TimeSpan.FromMinutes(2));
        Assert.Contains("did not finish within 30 s", WebUtility.HtmlDecode(Status().Match(page).Groups[1].Value));
        Assert.Contains("did not finish within 30 s", WebUtility.HtmlDecode(Cell(page, 3)));
        LiveLoopTests.Edit(notebook, "while (true) { }", "Console.WriteLine(\"no longer hangs\");");
        page = await WaitForStatusAsync(live, "Up to date"); // was: "Running cell 3 of 4…" for ever, every save ignored
        Assert.Contains("no longer hangs", Cell(page, 3));
        Assert.Matches("below runs=[12]", Cell(page, 4));

        // A save while a cell hangs (before its time is up) is not ignored either.
        LiveLoopTests.Edit(notebook, "Console.WriteLine(\"no longer hangs\");", "while (true) { }");
        await WaitForStatusAsync(live, "Running cell 3");
        await Task.Delay(1000);
        LiveLoopTests.Edit(notebook, "while (true) { }", "Console.WriteLine(\"fixed again\");");
        page = await WaitForStatusAsync(live, "Up to date", TimeSpan.FromSeconds(30));
        Assert.Contains("fixed again", Cell(page, 3));
        Assert.Equal(0, live.Interrupt(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task A_notebook_whose_path_has_spaces_and_accents_is_served_its_links_answer_and_its_saves_are_followed()
    {
        string notebook = WriteNotebook("02 été.dib", Notebook("Un été", "Console.WriteLine(\"première \" + \"sortie\");"), subfolder: "mes essais");
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(notebook)!, "01 début.dib"), Notebook("Le début", "Console.WriteLine(1);"));
        using var live = LiveProcess.Start(notebook, TimeSpan.FromMinutes(2));
        string page = await WaitForStatusAsync(live, "Up to date");
        Assert.Contains("première sortie", Cell(page, 2));
        var pageUri = new Uri(live.Url);
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };
        // Every link of the page (the previous page, the contents, the .dib and .ipynb downloads) answers.
        var links = Href().Matches(page).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).Where(h => !h.StartsWith('#')).Distinct().ToList();
        Assert.Contains(links, l => l.Contains(".ipynb", StringComparison.Ordinal));
        foreach (string link in links)
        {
            using var response = await client.GetAsync(new Uri(pageUri, link));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{link} -> {new Uri(pageUri, link)}: {(int)response.StatusCode}");
        }
        string ipynb = await client.GetStringAsync(new Uri(pageUri, Uri.EscapeDataString("02 été") + ".ipynb"));
        Assert.Contains("première sortie", Regex.Unescape(ipynb)); // the output, whatever JSON escapes
        using (var root = await client.GetAsync(new Uri(pageUri, "/")))
            Assert.Equal(pageUri.AbsolutePath, root.Headers.Location?.OriginalString);
        LiveLoopTests.Edit(notebook, "\"sortie\"", "\"sortie, seconde\"");
        await WaitForPageAsync(live, p => Cell(p, 2).Contains("première sortie, seconde", StringComparison.Ordinal));
        Assert.Equal(0, live.Interrupt(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task A_cell_that_ends_the_process_is_survived_the_kernel_restarts_with_a_note_and_the_next_save_works()
    {
        string notebook = WriteNotebook("exits.dib", Notebook("Exits",
            "var kernelId = Guid.NewGuid().ToString(\"N\")[..8];\nConsole.WriteLine($\"kernel={kernelId}\");",
            "Console.WriteLine(\"before the exit\");\nEnvironment.Exit(3);",
            "Console.WriteLine($\"below kernel={kernelId}\");"));
        using var live = LiveProcess.Start(notebook, TimeSpan.FromMinutes(2));
        // Was: the live loop (server, page and kernel) ended with exit code 3.
        string page = await WaitForStatusAsync(live, "ended the kernel's process", TimeSpan.FromMinutes(3));
        Assert.Contains("exit code 3", WebUtility.HtmlDecode(Cell(page, 3)));
        Assert.Matches("kernel=[0-9a-f]{8}", Cell(page, 2)); // the cells above ran again in the new kernel
        Assert.DoesNotMatch("below kernel=[0-9a-f]{8}", Cell(page, 4)); // the cells below did not run
        LiveLoopTests.Edit(notebook, "Environment.Exit(3);", "Console.WriteLine(\"no exit\");");
        page = await WaitForPageAsync(live, p => Regex.IsMatch(Cell(p, 4), "below kernel=[0-9a-f]{8}"), TimeSpan.FromMinutes(2));
        Assert.Contains("no exit", Cell(page, 3));
        Assert.Equal(KernelId().Match(Cell(page, 2)).Groups[1].Value, KernelId().Match(Cell(page, 4)).Groups[1].Value); // one kernel since the restart
        int[] children = [.. live.Descendants()];
        Assert.Equal(0, live.Interrupt(TimeSpan.FromSeconds(30)));
        await NoneLeftAsync(children, live);
    }

    [Fact]
    public async Task A_background_thread_that_ends_the_process_is_survived_once_with_a_note_and_the_save_that_fixes_it_gets_through()
    {
        // The thread ends the process 1.5 s after cell 3 started it: while cell 4 sleeps, or after the run, depending on the
        // machine's load. Either way the restarted kernel must not start the thread again on its own.
        string notebook = WriteNotebook("thread-exits.dib", Notebook("A thread exits",
            "var kernelId = Guid.NewGuid().ToString(\"N\")[..8];\nConsole.WriteLine($\"kernel={kernelId}\");",
            "new System.Threading.Thread(() => { System.Threading.Thread.Sleep(1500); Environment.Exit(4); }) { IsBackground = true }.Start();\nConsole.WriteLine(\"thread started\");",
            "System.Threading.Thread.Sleep(3000);\nConsole.WriteLine($\"below kernel={kernelId}\");"));
        using var live = LiveProcess.Start(notebook, TimeSpan.FromMinutes(2));
        // Was: every restart ran the notebook again, the thread ended it again, until "giving up" (exit 1).
        string page = await WaitForStatusAsync(live, "while no cell was running", TimeSpan.FromMinutes(3));
        string status = WebUtility.HtmlDecode(Status().Match(page).Groups[1].Value);
        Assert.Contains("exit code 4", status);
        Assert.Contains("Environment.Exit", status);
        Assert.Contains("save", status);
        Assert.Contains("exit code 4", WebUtility.HtmlDecode(page[page.IndexOf("id=\"cell-2\"", StringComparison.Ordinal)..])); // the note sits at a cell
        int restarts = Regex.Matches(live.Output, "restarting the kernel").Count;
        await Task.Delay(TimeSpan.FromSeconds(5)); // no loop: the page stays as it is and the process is not restarted again
        page = await WaitForStatusAsync(live, "while no cell was running");
        Assert.Equal(restarts, Regex.Matches(live.Output, "restarting the kernel").Count);
        LiveLoopTests.Edit(notebook, "Environment.Exit(4);", "Console.WriteLine(\"no exit\");");
        page = await WaitForPageAsync(live, p => Regex.IsMatch(Cell(p, 4), "below kernel=[0-9a-f]{8}"), TimeSpan.FromMinutes(2));
        Assert.Contains("thread started", Cell(page, 3));
        await Task.Delay(TimeSpan.FromSeconds(3)); // the fixed thread has run: nothing ends the process any more
        page = await WaitForStatusAsync(live, "Up to date");
        Assert.Equal(restarts, Regex.Matches(live.Output, "restarting the kernel").Count);
        Assert.Equal(0, live.Interrupt(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Ctrl_c_while_a_torchsharp_cell_runs_exits_cleanly_without_a_segmentation_fault_or_a_process_left()
    {
        string setup = Path.Combine(Repository.Root, "artifacts", "notebook-lib", "setup.csx");
        string notebook = WriteNotebook("torch.dib", Meta + $"#!csharp\n\n#!import {setup}\n\n" +
            "#!csharp\n\ntorch.set_num_threads(2);\nwhile (true) { using var a = torch.randn(700, 700); using var b = a.matmul(a); }\n");
        using var live = LiveProcess.Start(notebook, TimeSpan.FromMinutes(2));
        await WaitForStatusAsync(live, "Running cell 2", TimeSpan.FromMinutes(4));
        await Task.Delay(TimeSpan.FromSeconds(3)); // matrix products on both cores
        int[] children = [.. live.Descendants()];
        int? exit = live.Interrupt(TimeSpan.FromSeconds(30));
        Assert.True(exit is 0 or 130, $"exit {exit?.ToString() ?? "none within 30 s"} (139 is a segmentation fault):\n{live.Output}"); // was 139
        await NoneLeftAsync(children, live);
    }

    [Fact]
    public async Task Ctrl_c_while_pages_and_the_event_stream_are_being_served_exits_cleanly_without_a_process_left()
    {
        string root = Tree();
        using var live = LiveProcess.Start(Path.Combine(root, "01_chapter.dib"), TimeSpan.FromMinutes(2));
        await WaitForStatusAsync(live, "Up to date");
        using var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var stream = await client.GetStreamAsync(new Uri(new Uri(live.Url), "/events")); // an open event stream
        using var requests = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var pages = Task.Run(async () =>
        {
            while (!requests.IsCancellationRequested)
            {
                try
                {
                    await client.GetStringAsync(live.Url, requests.Token);
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
                {
                    return;
                }
            }
        });
        await Task.Delay(500);
        int[] children = [.. live.Descendants()];
        Assert.Equal(0, live.Interrupt(TimeSpan.FromSeconds(30)));
        await requests.CancelAsync();
        await pages;
        await NoneLeftAsync(children, live);
    }

    /// <summary>Waits (up to 10 s) until none of <paramref name="pids"/> runs any more.</summary>
    private static async Task NoneLeftAsync(IReadOnlyList<int> pids, LiveProcess live)
    {
        var clock = Stopwatch.StartNew();
        while (pids.Any(LiveProcess.Alive) && clock.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(200);
        Assert.True(!pids.Any(LiveProcess.Alive), $"left running: {string.Join(", ", pids.Where(LiveProcess.Alive))}\n{live.Output}");
    }

    /// <summary>Polls the page until <paramref name="done"/> holds; returns the page.</summary>
    private static async Task<string> WaitForPageAsync(LiveProcess live, Func<string, bool> done, TimeSpan? bound = null,
        string failure = "the page never reached the expected state")
    {
        using var client = Client();
        var clock = Stopwatch.StartNew();
        string page = "";
        while (clock.Elapsed < (bound ?? Bound))
        {
            Assert.True(live.IsRunning, $"the live loop ended (exit {live.ExitCode}):\n{live.Output}");
            try
            {
                page = await client.GetStringAsync(live.Url);
                if (done(page)) return page;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // starting, restarting, or too busy to answer within the client's time
            }
            await Task.Delay(250);
        }
        Assert.Fail($"{failure}. Last page status: {Status().Match(page).Groups[1].Value}\nOutput:\n{live.Output}");
        return page;
    }

    private static string Cell(string page, int number)
    {
        var match = Regex.Match(page, $"<section class=\"cell[^\"]*\" id=\"cell-{number}\">(.*?)</section>", RegexOptions.Singleline);
        Assert.True(match.Success, $"no cell {number}");
        return match.Groups[1].Value;
    }

    [GeneratedRegex("id=\"camnb-live-status\"[^>]*>([^<]*)<")]
    private static partial Regex Status();

    [GeneratedRegex("href=\"([^\"]+)\"")]
    private static partial Regex Href();

    [GeneratedRegex("kernel=([0-9a-f]{8})")]
    private static partial Regex KernelId();
}
