using CamNotebooks.Display;
using CamNotebooks.Heatmaps;
using CamNotebooks.Imaging;
using CamNotebooks.Maps;
using Microsoft.DotNet.Interactive.Formatting;
using SkiaSharp;
using static CamNotebooks.Exercises.TinyNets;
using static CamNotebooks.Tests.Maps.MapAssertions;
using static TorchSharp.torch;

namespace CamNotebooks.Tests.Heatmaps;

public class HeatmapTests
{
    [Fact]
    public void Normalize_scales_each_map_to_0_1_and_turns_flat_maps_into_zeros()
    {
        var maps = tensor(new float[] { -2, 0, 2, 6, 5, 5, 5, 5 }).reshape(2, 2, 2);
        var scaled = HeatmapMath.Normalize(maps);
        AssertClose(new float[,] { { 0, 0.25f }, { 0.5f, 1 } }, scaled[0]);
        AssertClose(new float[,] { { 0, 0 }, { 0, 0 } }, scaled[1]);
        var clipped = HeatmapMath.Normalize(maps[0], reluFirst: true);
        AssertClose(new float[,] { { 0, 0 }, { 1 / 3f, 1 } }, clipped);
        Assert.Throws<ArgumentException>(() => HeatmapMath.Normalize(zeros(4)));
    }

    [Fact]
    public void Upsample_is_bilinear_with_corners_not_aligned()
    {
        // Output pixel o samples input coordinate (o + 0.5)/2 - 0.5 = -0.25, 0.25, 0.75, 1.25, clamped to 0..1.
        var big = HeatmapMath.Upsample(tensor(new float[] { 0, 1, 2, 3 }).reshape(2, 2), 4, 4);
        AssertClose(new float[,]
        {
            { 0, 0.25f, 0.75f, 1 }, { 0.5f, 0.75f, 1.25f, 1.5f }, { 1.5f, 1.75f, 2.25f, 2.5f }, { 2, 2.25f, 2.75f, 3 },
        }, big);
        Assert.Equal([3L, 8, 6], HeatmapMath.Upsample(zeros(3, 2, 2), 8, 6).shape);
    }

    [Fact]
    public void Blend_mixes_the_image_and_the_colours_with_alpha()
    {
        var image = tensor(new float[] { 100, 100, 50, 50, 200, 200 }).reshape(3, 1, 2);
        var heat = tensor(new float[] { 0, 1 }).reshape(1, 2);
        var blended = HeatmapMath.Blend(image, heat, Colormap.Magma, 0.6);
        var low = Colormap.Magma[0];
        var high = Colormap.Magma[1];
        Assert.Equal(0.4 * 100 + 0.6 * 255 * low.R, blended[0, 0, 0].item<float>(), 3);
        Assert.Equal(0.4 * 50 + 0.6 * 255 * high.G, blended[1, 0, 1].item<float>(), 3);
        Assert.Equal(0.4 * 200 + 0.6 * 255 * high.B, blended[2, 0, 1].item<float>(), 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => HeatmapMath.Blend(image, heat, Colormap.Magma, 1.5));
        var size = Assert.Throws<ArgumentException>(() => HeatmapMath.Blend(image, zeros(2, 2), Colormap.Magma));
        Assert.Contains("Upsample", size.Message);
        Assert.Throws<ArgumentException>(() => HeatmapMath.Blend(zeros(1, 2), heat, Colormap.Magma));
    }

    [Fact]
    public void An_overlay_of_a_known_image_and_map_has_known_pixels()
    {
        // Grey 4x4 image; map [[0, 0], [0, 8]] → after min-max and bilinear stretch, pixel (0,0) is 0 and (3,3) is 1.
        var image = full(3, 4, 4, 128f);
        var overlay = HeatmapOverlay.Create(image, tensor(new float[] { 0, 0, 0, 8 }).reshape(2, 2), caption: "known");
        using var bitmap = SKBitmap.Decode(overlay.Png);
        var dark = Colormap.Magma[0];
        var bright = Colormap.Magma[1];
        Assert.Equal(Expected(dark), bitmap.GetPixel(0, 0));
        Assert.Equal(Expected(bright), bitmap.GetPixel(3, 3));
        Assert.Equal((4, 4), (overlay.Width, overlay.Height));
        Assert.Equal(8f, overlay.MapValues[1, 1]);
        static SKColor Expected((float R, float G, float B) c) =>
            new((byte)Math.Round(0.4 * 128 + 0.6 * 255 * c.R), (byte)Math.Round(0.4 * 128 + 0.6 * 255 * c.G), (byte)Math.Round(0.4 * 128 + 0.6 * 255 * c.B));
    }

    [Fact]
    public void Overlays_of_a_result_display_as_html_with_caption_and_tensors_as_one_line_text()
    {
        Formatters.Register();
        using var result = GradCam.Compute(GapNet(), "relu", GapInput());
        var overlay = HeatmapOverlay.FromResult(result, 0, full(3, 8, 8, 64f), classNames: ["dog", "cat"]);
        Assert.Contains("Grad-CAM on relu for cat", overlay.Caption);
        var html = overlay.ToDisplayString("text/html");
        Assert.Contains("<img src=\"data:image/png;base64,", html);
        Assert.Contains("Grad-CAM on relu for cat", html);
        var text = tensor(new float[] { 1, 2, 3 }).ToDisplayString("text/plain");
        Assert.StartsWith("Tensor [3] Float32 cpu, min 1 mean 2 max 3", text);
        Assert.DoesNotContain("disposed", Formatters.Describe(zeros(2, 2)));
    }

    [Fact]
    public void Plotly_and_xplot_charts_carry_the_image_and_the_raw_map()
    {
        var overlay = HeatmapOverlay.Create(full(3, 8, 8, 64f), tensor(new float[] { 0.5f, 1.5f, 2.5f, 3.25f }).reshape(2, 2));
        var json = Plotly.NET.GenericChart.toJson(overlay.ToPlotlyChart());
        Assert.Contains("\"type\":\"image\"", json);
        Assert.Contains("\"type\":\"heatmap\"", json);
        Assert.Contains("3.25", json);        // raw values for hovering
        Assert.Contains("\"dx\":4.0", json);   // each of the 2 cells spans 4 of the 8 pixels
        var html = HeatmapCharts.XPlotHtml(overlay.ToXPlotChart());
        Assert.Contains("\"images\"", html);
        Assert.Contains("data:image/png;base64,", html);
        Assert.Contains("3.25", html);
        Formatters.Register();
        Assert.Contains("\"heatmap\"", overlay.ToXPlotChart().ToDisplayString("text/html"));
        // Both colour bars lie under the picture across its width, numbered, so a phone's narrow column keeps their numbers.
        var bars = new[] { json, html }.Select(text => System.Text.RegularExpressions.Regex.Match(text, "\"colorbar\":\\{[^}]*\\}").Value).ToList();
        Assert.All(bars, bar => Assert.Contains("\"orientation\":\"h\"", bar));
        Assert.All(bars, bar => Assert.Contains("\"nticks\":5", bar));
        Assert.All(bars, bar => Assert.Contains("\"len\":1", bar));
    }
}
