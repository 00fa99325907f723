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
}
