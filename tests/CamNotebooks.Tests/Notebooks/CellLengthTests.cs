using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>
/// Cells as short as the book's: the median code cell of chapters 01-05 (the first, set-up cell of each excluded) has at
/// most six lines, counting lines that are not blank. Run alone to see the figure:
/// <c>dotnet test tests/CamNotebooks.Tests --filter "FullyQualifiedName~CellLengthTests" --logger "console;verbosity=detailed"</c>.
/// </summary>
public class CellLengthTests(ITestOutputHelper output)
{
    /// <summary>Non-blank line counts of every code cell after the first, per chapter 01-05 (answers notebook included).</summary>
    public static Dictionary<string, List<int>> CodeCellLengths() =>
        Directory.GetFiles(Repository.Notebooks, "*.dib")
            .Where(path => Regex.IsMatch(Path.GetFileName(path), @"^0[1-5]_"))
            .Order(StringComparer.Ordinal)
            .ToDictionary(path => Path.GetFileName(path), path => RerunNotebook.Cells(File.ReadAllText(path))
                .Where(c => c.Kernel == "csharp").Skip(1)
                .Select(c => c.Code.Split('\n').Count(line => line.Trim().Length > 0)).ToList());

    public static double Median(IReadOnlyCollection<int> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2.0;
    }

    [Fact]
    public void The_median_code_cell_of_chapters_01_to_05_has_at_most_six_lines()
    {
        var lengths = CodeCellLengths();
        Assert.True(lengths.Count >= 5, $"expected chapters 01-05, found {string.Join(", ", lengths.Keys)}");
        foreach (var (notebook, cells) in lengths)
            output.WriteLine($"{notebook}: {cells.Count} code cells, median {Median(cells)} lines");
        var all = lengths.Values.SelectMany(c => c).ToList();
        double median = Median(all);
        output.WriteLine($"Median code cell across 01-05 (set-up cells excluded): {median} lines over {all.Count} cells");
        Assert.True(median <= 6, $"the median code cell has {median} lines");
    }

    [Fact]
    public void Chapters_print_shapes_with_the_librarys_formatter_not_string_join()
    {
        foreach (var path in Directory.GetFiles(Repository.Notebooks, "0*.dib"))
            Assert.DoesNotMatch(@"string\.Join\("", "", [\w.\[\]!]+\.shape\)", File.ReadAllText(path));
    }

    [Fact]
    public void The_median_is_the_middle_value()
    {
        Assert.Equal(3, Median([5, 1, 3]));
        Assert.Equal(2.5, Median([4, 1, 2, 3]));
    }
}
