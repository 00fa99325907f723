using System.Diagnostics;
using System.Reflection;
using CamNotebooks.Book.Building;
using CamNotebooks.Tests.Notebooks;

namespace CamNotebooks.Tests.Book;

/// <summary>The book and its runner child (issue 14, items 5 and 8): no silent success, no orphaned child, no folder pulled away.</summary>
[Collection(StockKernelCollection.Name)]
public class BookChildProcessTests
{
    private static string FaultProbeAssembly { get; } = typeof(BookChildProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "FaultProbeAssembly").Value!;

    [Fact]
    public void A_runner_that_exits_0_without_writing_the_notebook_is_a_failure()
    {
        string root = BookFixtures.CreateRepository("02_tiny.dib");
        var outcome = BookFixtures.Build(root, "--runner", FaultProbeAssembly); // a "runner" that writes nothing and exits 0
        Assert.True(outcome.ExitCode == 1, outcome.ToString()); // was: exit 0, "ok ... failed 0"
        Assert.DoesNotContain("ok in", outcome.StandardOutput);
        Assert.Contains("failed 1", outcome.StandardOutput);
        Assert.Contains("error: 02_tiny.dib failed: the runner exited with code 0 without writing the executed notebook", outcome.StandardError);
        // Its page offers the .ipynb (the reason, no outputs) without promising outputs.
        string page = File.ReadAllText(Path.Combine(root, "book", "02_tiny.html"));
        Assert.DoesNotContain("notebook with outputs", page); // was: "notebook with outputs (.ipynb)"
        Assert.Contains("notebook without outputs (.ipynb)", page);
        Assert.True(File.Exists(Path.Combine(root, "book", "02_tiny.ipynb")));
    }

    /// <summary>Issue 21, item 4: at its own --timeout the book killed the runner and showed nothing of what had run.</summary>
    [Fact]
    public void A_notebook_stopped_at_the_books_timeout_shows_the_cells_that_finished()
    {
        string root = BookFixtures.CreateRepository("sleeps.dib");
        var outcome = BookFixtures.Build(root, "--timeout", "0.75"); // cell 3 sleeps 10 minutes
        Assert.True(outcome.ExitCode == 1, outcome.ToString());
        Assert.Contains("error: sleeps.dib failed: sleeps.dib did not finish within 0.75 minutes (--timeout) and was stopped; the cells that finished are shown.",
            outcome.StandardError);
        string page = File.ReadAllText(Path.Combine(root, "book", "sleeps.html"));
        Assert.Contains("started", page); // was: "The runner stopped with exit code -1 before writing the executed notebook"
        Assert.DoesNotContain("before writing the executed notebook", page);
        Assert.Contains("SIGTERM", page); // the cell that was running says why it stopped
        Assert.True(File.Exists(Path.Combine(root, "book", "sleeps.ipynb")));
    }

    [Theory]
    [InlineData("KILL")]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task Killing_the_book_build_ends_its_runner_child_too(string signal)
    {
        string root = BookFixtures.CreateRepository("sleeps.dib");
        // Was (run as a background job, SIGINT ignored): the INT case's book and runner ran on.
        var start = ProcessRunner.SignalableStart("dotnet",
            ["exec", BookFixtures.BookAssembly, "build", "--notebooks", Path.Combine(root, "notebooks"), "--output", Path.Combine(root, "book")], root);
        using var book = Process.Start(start)!;
        _ = book.StandardError.ReadToEndAsync();
        string? line;
        while ((line = await book.StandardOutput.ReadLineAsync()) is not null && !line.Contains("cell 2 ok")) { } // cell 1 is markdown; cell 3 sleeps
        Assert.NotNull(line);
        int runner = ChildrenOf(book.Id).Single();

        Process.Start("kill", ["-" + signal, book.Id.ToString()])!.WaitForExit();
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            await book.WaitForExitAsync(deadline.Token);
        var clock = Stopwatch.StartNew();
        while (IsAlive(runner) && clock.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(100);
        bool survived = IsAlive(runner);
        if (survived) Process.GetProcessById(runner).Kill(); // was: the runner kept running after the book died
        Assert.False(survived, $"the runner (pid {runner}) outlived the book killed by SIG{signal}");
    }

    [Fact]
    public void A_second_build_does_not_delete_the_working_folder_of_a_build_still_running()
    {
        string cacheFolder = Path.Combine(Path.GetTempPath(), "camnb-book-cache-" + Guid.NewGuid().ToString("N"));
        var cache = new ExecutionCache(cacheFolder, Repository.Root);
        string first = cache.ScratchFolder();
        string working = Path.Combine(first, "still-being-written.ipynb");
        File.WriteAllText(working, "{}");

        string second = new ExecutionCache(cacheFolder, Repository.Root).ScratchFolder(); // another build, same cache
        Assert.True(File.Exists(working), "the second build deleted the first build's working folder"); // was: deleted
        Assert.NotEqual(first, second);

        // A working folder whose build is gone (no such process) is cleaned up by the next build.
        string orphan = Path.Combine(Path.GetDirectoryName(first)!, "999999999-orphan");
        Directory.CreateDirectory(orphan);
        var third = new ExecutionCache(cacheFolder, Repository.Root);
        third.ReleaseScratchFolder(third.ScratchFolder());
        Assert.False(Directory.Exists(orphan), "a working folder of a dead build was left behind");
        Assert.True(File.Exists(working));
        Directory.Delete(cacheFolder, recursive: true);
    }

    private static IEnumerable<int> ChildrenOf(int parent) =>
        Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)).Select(int.Parse!)
            .Where(pid => ParentOf(pid) == parent).ToList();

    private static int? ParentOf(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException) { return null; }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            // A zombie (state Z) has exited; only its parent has not collected it yet.
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (IOException) { return false; }
    }
}
