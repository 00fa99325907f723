using System.Text.RegularExpressions;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>02, 03, 05, 06 and 07 each open their exploration with one try-it cell whose values every later cell reads.</summary>
public class TryItTests
{
    [Theory]
    [InlineData("02_class_activation_maps.dib", "photoName")]
    [InlineData("03_grad_cam.dib", "photoName,classIndex,innerLayer")]
    [InlineData("05_measuring_maps.dib", "seed,photoCount")]
    [InlineData("06_cam_for_text.dib", "sentence")]
    [InlineData("07_trusting_maps.dib", "seed,photoCount,costlyCount,scoreCamChannels,sanityCount")]
    public void The_try_it_cell_declares_the_values_later_cells_use_and_nothing_rebinds_them(string notebook, string expected)
    {
        string dib = File.ReadAllText(Path.Combine(Repository.Notebooks, notebook));
        var names = TryItCell.Names(dib);
        Assert.Equal(expected.Split(','), names);
        Assert.True(TryItCell.Source(dib).Split('\n').Count(l => l.Trim().Length > 0) <= 6, "the try-it cell should stay short");
        var code = RerunNotebook.Cells(dib).Where(c => c.Kernel == "csharp").Select(c => c.Code).ToList();
        var later = code.SkipWhile(c => !c.StartsWith(TryItCell.Marker, StringComparison.Ordinal)).Skip(1).ToList();
        foreach (var name in names)
        {
            Assert.True(later.Any(c => Regex.IsMatch(c, $@"\b{name}\b")), $"{notebook}: no cell after the try-it cell uses {name}");
            Assert.DoesNotContain(later, c => Regex.IsMatch(c, $@"(var|int|string|double)\s+{name}\s*=|\b{name}\s*=[^=]"));
        }
    }
}
