using CamNotebooks.Display;
using CamNotebooks.Heatmaps;
using static TorchSharp.torch;

namespace CamNotebooks.Tests.Heatmaps;

public class ColormapTests
{
    // Expected colours printed by matplotlib 3.6.3: matplotlib.colormaps[name](x)[:3], rounded to 6 decimals.
    [Theory]
    [InlineData("magma", 0.0, 0.001462, 0.000466, 0.013866)]
    [InlineData("magma", 0.25, 0.316654, 0.071690, 0.485380)]
    [InlineData("magma", 0.5, 0.716387, 0.214982, 0.475290)]
    [InlineData("magma", 0.75, 0.986700, 0.535582, 0.382210)]
    [InlineData("magma", 1.0, 0.987053, 0.991438, 0.749504)]
    [InlineData("viridis", 0.0, 0.267004, 0.004874, 0.329415)]
    [InlineData("viridis", 0.1, 0.282623, 0.140926, 0.457517)]
    [InlineData("viridis", 0.5, 0.127568, 0.566949, 0.550556)]
    [InlineData("viridis", 1.0, 0.993248, 0.906157, 0.143936)]
    [InlineData("jet", 0.0, 0.0, 0.0, 0.5)]
    [InlineData("jet", 0.1, 0.0, 0.0, 0.945633)]
    [InlineData("jet", 0.25, 0.0, 0.503922, 1.0)]
    [InlineData("jet", 0.5, 0.490196, 1.0, 0.477546)]
    [InlineData("jet", 0.75, 1.0, 0.581699, 0.0)]
    [InlineData("jet", 1.0, 0.5, 0.0, 0.0)]
    public void Colours_match_matplotlib(string name, double value, double r, double g, double b)
    {
        var colormap = name switch { "magma" => Colormap.Magma, "viridis" => Colormap.Viridis, _ => Colormap.Jet };
        var (actualR, actualG, actualB) = colormap[value];
        Assert.Equal(r, actualR, 6);
        Assert.Equal(g, actualG, 6);
        Assert.Equal(b, actualB, 6);
        Assert.Equal(256, colormap.Count);
    }

    [Fact]
    public void Out_of_range_and_nan_values_are_clamped_like_matplotlib_does_for_its_under_and_over_colours()
    {
        Assert.Equal(Colormap.Magma[0], Colormap.Magma[-3]);
        Assert.Equal(Colormap.Magma[1], Colormap.Magma[7]);
        Assert.Equal(Colormap.Magma[0], Colormap.Magma[double.NaN]);
        Assert.NotEqual(Colormap.Magma[0.499], Colormap.Magma[0.5]); // entry 127 vs 128
    }

    [Fact]
    public void Applying_to_a_tensor_gives_the_same_colours_scaled_to_0_255()
    {
        var values = tensor(new float[] { 0, 0.25f, 0.5f, 1 }).reshape(2, 2);
        var rgb = Colormap.Viridis.Apply(values);
        Assert.Equal([3L, 2, 2], rgb.shape);
        var (r, g, b) = Colormap.Viridis[0.5];
        Assert.Equal(r * 255, rgb[0, 1, 0].item<float>(), 3);
        Assert.Equal(g * 255, rgb[1, 1, 0].item<float>(), 3);
        Assert.Equal(b * 255, rgb[2, 1, 0].item<float>(), 3);
        Assert.Throws<ArgumentException>(() => Colormap.Viridis.Apply(zeros(4)));
    }

    [Fact]
    public void The_plotly_colorscale_runs_from_the_first_to_the_last_colour()
    {
        var scale = Colormap.Magma.ToPlotlyColorscale(11);
        Assert.Equal(11, scale.Length);
        Assert.Equal(0.0, scale[0][0]);
        Assert.Equal("rgb(0,0,4)", scale[0][1]);        // magma(0) · 255 = (0.37, 0.12, 3.54)
        Assert.Equal(1.0, scale[^1][0]);
        Assert.Equal("rgb(252,253,191)", scale[^1][1]); // magma(1) · 255 = (251.7, 252.8, 191.1)
    }
}
