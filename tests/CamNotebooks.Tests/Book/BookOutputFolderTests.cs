using CamNotebooks.Tests.Notebooks;

namespace CamNotebooks.Tests.Book;

/// <summary>
/// The book's output folder (issue 21, item 6): inside the notebooks folder it used to make the book's own .dib copies
/// chapters of the next build; unwritable, it ended in an unhandled IOException (exit 134) after every notebook had run.
/// </summary>
[Collection(NotebookCollection.Name)]
public class BookOutputFolderTests
{
    [Theory]
    [InlineData("book")]
    [InlineData(".")]
    public void An_output_folder_inside_the_notebooks_folder_is_refused(string inside)
    {
        string root = BookFixtures.CreateRepository("02_tiny.dib");
        string notebooks = Path.Combine(root, "notebooks");
        string output = Path.GetFullPath(Path.Combine(notebooks, inside));
        var outcome = ProcessRunner.Run("dotnet", ["exec", BookFixtures.BookAssembly, "build", "--notebooks", notebooks, "--output", output],
            root, TimeSpan.FromMinutes(5));
        Assert.True(outcome.ExitCode == 2, outcome.ToString()); // was: 0, and a notebooks/book/02_tiny.dib chapter for the next build
        Assert.Contains($"the output folder '{output}' is inside the notebooks folder '{notebooks}'", outcome.StandardError);
        Assert.DoesNotContain("running", outcome.StandardOutput);
        Assert.Single(Directory.GetFiles(notebooks, "*.dib", SearchOption.AllDirectories));
    }

    [Fact]
    public void An_output_folder_that_cannot_be_written_is_refused_before_any_notebook_runs()
    {
        string root = BookFixtures.CreateRepository("02_tiny.dib");
        string blocker = Path.Combine(root, "a-file");
        File.WriteAllText(blocker, "not a folder");
        var outcome = ProcessRunner.Run("dotnet",
            ["exec", BookFixtures.BookAssembly, "build", "--notebooks", Path.Combine(root, "notebooks"), "--output", Path.Combine(blocker, "book")],
            root, TimeSpan.FromMinutes(5));
        Assert.True(outcome.ExitCode == 2, outcome.ToString()); // was: 134 (an unhandled IOException) after running every notebook
        Assert.Contains($"cannot write the book to {Path.Combine(blocker, "book")}", outcome.StandardError);
        Assert.Contains("no notebook was run", outcome.StandardError);
        Assert.DoesNotContain("running", outcome.StandardOutput);
        Assert.DoesNotContain("Unhandled exception", outcome.StandardError);
    }

    /// <summary>
    /// A disk that fills up while the book is written (issue 21, item 6): each file was written in place, so the pages before
    /// the failing file were the new build's and the rest the old one's. Now the book is written to a folder beside it first
    /// and swapped in only when all of it is there. The full disk is a file-size limit (ulimit -f, 2 MB) that plotly.js
    /// (3.6 MB, deleted from the old book so that it must be written again) exceeds: write() then fails as on a full disk.
    /// (.NET's write-xor-execute mapping is a file larger than that limit, so it is switched off for this process.)
    /// </summary>
    [Fact]
    public void A_disk_that_fills_up_while_the_book_is_written_leaves_the_previous_book_whole()
    {
        if (!OperatingSystem.IsLinux()) return;
        string root = BookFixtures.CreateRepository("02_tiny.dib");
        var first = BookFixtures.Build(root, "--title", "First Book");
        Assert.True(first.ExitCode == 0, first.ToString());
        string book = Path.Combine(root, "book");
        File.Delete(Directory.GetFiles(book, "plotly-*.min.js").Single());
        var before = BookFixtures.ReadAll(book);

        var full = ProcessRunner.Run("bash",
            ["-c", "ulimit -f 2048 && exec env --ignore-signal=XFSZ DOTNET_EnableWriteXorExecute=0 \"$@\"", "bash", "dotnet", "exec", BookFixtures.BookAssembly, "build",
             "--notebooks", Path.Combine(root, "notebooks"), "--output", book, "--title", "Second Book"],
            root, TimeSpan.FromMinutes(5));
        Assert.True(full.ExitCode == 1, full.ToString());
        Assert.Contains($"error: the book could not be written to {book}", full.StandardError);
        Assert.Contains("reused   02_tiny.dib", full.StandardOutput); // nothing ran again: only the writing failed
        var after = BookFixtures.ReadAll(book);
        Assert.Equal(before.Keys, after.Keys); // was: the pages written before plotly.js were the second build's
        Assert.All(before, file => Assert.True(file.Value.AsSpan().SequenceEqual(after[file.Key]), $"{file.Key} changed"));
        Assert.DoesNotContain("Second Book", File.ReadAllText(Path.Combine(book, "02_tiny.html")));
        Assert.Empty(Directory.GetDirectories(book, ".camnb-*", SearchOption.AllDirectories)); // no staging left behind
        Assert.Empty(Directory.GetFiles(root, "*.tmp", SearchOption.AllDirectories));
    }
}
