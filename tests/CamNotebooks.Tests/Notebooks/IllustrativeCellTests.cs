using System.Text.RegularExpressions;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>
/// Skipping an illustrative cell must not break later cells: the types and local functions a chapter defines for
/// teaching are not used after their section; the main line uses the library.
/// </summary>
public class IllustrativeCellTests
{
    [Fact]
    public void After_03s_backward_hook_steps_no_cell_needs_the_hand_made_types()
    {
        string dib = File.ReadAllText(Path.Combine(Repository.Notebooks, "03_grad_cam.dib"));
        var cells = RerunNotebook.Cells(dib);
        int handover = cells.FindIndex(c => c.Kernel == "markdown" && c.Code.Contains("From here on the notebook uses the library's"));
        Assert.True(handover > 0, "03 should say where the library takes over from the hand-made hook");
        foreach (var (_, code) in cells.Skip(handover + 1).Where(c => c.Kernel == "csharp"))
            Assert.DoesNotMatch(@"\b(Spy|GradientBox|RecordGradient|HandMadeBackwardHook)\b", code);
    }

    [Theory]
    [InlineData("02_class_activation_maps.dib")]
    [InlineData("03_grad_cam.dib")]
    [InlineData("05_measuring_maps.dib")]
    [InlineData("06_cam_for_text.dib")]
    [InlineData("07_trusting_maps.dib")]
    public void Local_functions_are_used_only_in_the_cell_that_defines_them(string notebook)
    {
        var code = RerunNotebook.Cells(File.ReadAllText(Path.Combine(Repository.Notebooks, notebook))).Where(c => c.Kernel == "csharp").Select(c => c.Code).ToList();
        for (int i = 0; i < code.Count; i++)
            foreach (Match m in Regex.Matches(code[i], @"^(?!\s|public|private|protected|internal|override|class|record)[\w.<>\[\], ]+\s+(?<name>[A-Z]\w*)\((?!\))[^)]*\)\s*(=>|$)", RegexOptions.Multiline))
                Assert.DoesNotContain(code.Skip(i + 1), later => Regex.IsMatch(later, $@"\b{m.Groups["name"].Value}\("));
    }
}
