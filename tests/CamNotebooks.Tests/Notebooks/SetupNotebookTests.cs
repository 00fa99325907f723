namespace CamNotebooks.Tests.Notebooks;

/// <summary>The facts 00_setup.dib's prose claims, checked against its executed outputs.</summary>
[Collection(NotebookCollection.Name)]
public class SetupNotebookTests
{
    private static ExecutedNotebook Setup => ExecutedNotebook.Get("00_setup.dib");

    [Fact]
    public void The_environment_line_reports_libtorch()
    {
        Setup.Find(@"^libtorch 2\.10");
    }

    [Fact]
    public void The_matrix_times_its_inverse_is_the_identity()
    {
        Setup.Find(@"Is it the identity\? True");
    }

    [Fact]
    public void The_chart_draws_offline_and_the_photo_is_a_real_png()
    {
        var html = Setup.Cells.SelectMany(c => c.Outputs).Where(o => o.Mime == "text/html").Select(o => o.Data).ToList();
        // The notebook ran twice in one kernel: plotly.js itself went out with the first pass's chart (once per session),
        // this pass's chart only waits for it.
        Assert.Contains(html, h => h.Contains("<div id=\"camnb-plot-") && h.Contains("Plotly.newPlot('camnb-plot-"));
        Assert.DoesNotContain(html, h => h.Contains("cdn.plot.ly"));
        var png = Setup.Cells.SelectMany(c => c.Outputs).Where(o => o.Mime == "image/png").Select(o => Convert.FromBase64String(o.Data)).ToList();
        Assert.NotEmpty(png);
        Assert.All(png, bytes => Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]));
    }
}
