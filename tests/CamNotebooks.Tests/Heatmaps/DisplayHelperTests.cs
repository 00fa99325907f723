using System.Text.RegularExpressions;
using CamNotebooks.Data;
using CamNotebooks.Display;
using CamNotebooks.Evaluation;
using CamNotebooks.Heatmaps;
using static TorchSharp.torch;

namespace CamNotebooks.Tests.Heatmaps;

/// <summary>The small helpers that keep the chapters' cells short: shape text, overlay, map table, peak marker, peak check.</summary>
public class DisplayHelperTests
{
    [Fact]
    public void Shape_text_is_the_bracketed_shape_and_a_disposed_tensor_says_so()
    {
        CamEnvironment.Initialize();
        Assert.Equal("[1, 512, 7, 7]", zeros(1, 512, 7, 7).ShapeText());
        Assert.Equal("[]", tensor(3f).ShapeText());
        Assert.Equal("[2, 3]", ShapeFormatting.Of([2, 3]));
        var gone = zeros(2);
        gone.Dispose();
        Assert.Contains("disposed", Assert.Throws<ObjectDisposedException>(() => gone.ShapeText()).Message);
    }

    [Fact]
    public void The_overlay_has_the_photos_size_and_puts_the_hot_colour_where_the_map_is_high()
    {
        CamEnvironment.Initialize();
        var image = full(3, 64, 64, 128f);
        var map = zeros(7, 7);
        map[0, 0] = tensor(5f);
        using var blended = MapOverlay.Blend(image, map, Colormap.Magma, alpha: 1.0);
        Assert.Equal([3L, 64, 64], blended.shape);
        // magma(1) is pale yellow, magma(0) near black: the top-left corner is the bright one.
        Assert.True(blended[0, 0, 0].item<float>() > 200 && blended[0, 63, 63].item<float>() < 10);
        Assert.Equal((64, 64), (MapOverlay.Show(image, map).Width, MapOverlay.Show(image, map).Height));
        Assert.Contains("[3, H, W]", Assert.Throws<ArgumentException>(() => MapOverlay.Blend(zeros(64, 64), map)).Message);
        Assert.Contains("maps[i]", Assert.Throws<ArgumentException>(() => MapOverlay.Blend(image, zeros(2, 7, 7))).Message);
    }

    [Fact]
    public void The_map_table_lays_out_every_value_row_by_row_with_two_decimals()
    {
        CamEnvironment.Initialize();
        var map = arange(12, dtype: ScalarType.Float32).reshape(3, 4) - 2;
        string html = MapTable.Of(map, "a <title>").ToHtml();
        Assert.Equal(3, Regex.Matches(html, "<tr>").Count);
        var cells = Regex.Matches(html, @"<td[^>]*>(?<v>-?\d+\.\d\d)</td>").Select(m => m.Groups["v"].Value).ToList();
        Assert.Equal(["-2.00", "-1.00", "0.00", "1.00"], cells.Take(4));
        Assert.Equal("9.00", cells[^1]);
        Assert.Contains("<caption>a &lt;title&gt;</caption>", html);
        Assert.Throws<ArgumentException>(() => MapTable.Of(zeros(224, 224), "too big"));
    }

    [Fact]
    public void The_peak_is_found_at_full_size_and_marked_in_green_with_the_outside_darkened()
    {
        CamEnvironment.Initialize();
        var map = zeros(7, 7);
        map[2, 5] = tensor(1f);
        var peak = MapPeak.Find(map, 224, 224);
        // Cell (row 2, column 5) of a 7 x 7 grid covers 32-pixel squares; bilinear stretching peaks at its centre.
        Assert.InRange(peak.X, 5 * 32, 6 * 32 - 1);
        Assert.InRange(peak.Y, 2 * 32, 3 * 32 - 1);
        var image = full(3, 224, 224, 200f);
        var region = zeros(224, 224, dtype: ScalarType.Bool);
        region[TensorIndex.Slice(0, 112)] = tensor(true);
        using var marked = peak.Mark(image, region);
        Assert.Equal(new[] { 0f, 255f, 0f }, marked[.., peak.Y, peak.X].data<float>().ToArray());
        Assert.Equal(200f, marked[0, 10, 10].item<float>());           // inside the region: unchanged
        Assert.Equal(70f, marked[0, 220, 10].item<float>(), 3);         // outside: darkened to 35 %
        Assert.Throws<ArgumentException>(() => new MapPeak(300, 0).Mark(image));
    }

    [Fact]
    public void A_peak_check_on_a_real_photo_tells_head_body_and_off()
    {
        CamEnvironment.Initialize();
        var photo = PetsDataset.Load()["Bengal_109.jpg"];
        var head = photo.HeadBox.ToMaskTensor(14, 14, CamNotebooks.Imaging.ImageResizeMode.CenterCrop);
        var animal = head.logical_or(photo.Outline.ToMaskTensor(14, 14, CamNotebooks.Imaging.ImageResizeMode.CenterCrop));
        var onHead = head.to(ScalarType.Float32);
        var offAnimal = animal.logical_not().to(ScalarType.Float32);
        Assert.Equal("head", PeakCheck.Of(photo, onHead).Label);
        Assert.Equal(1.0, PeakCheck.Of(photo, onHead).MassOnAnimal, 5);
        Assert.Equal("off", PeakCheck.Of(photo, offAnimal).Label);
        Assert.Equal(0.0, PeakCheck.Of(photo, offAnimal).MassOnAnimal, 5);
        Assert.Equal(animal.to(ScalarType.Float32).mean().item<float>(), PeakCheck.Of(photo, onHead).AnimalArea, 5);
        Assert.False(PeakCheck.Of(photo, zeros(14, 14)).OnAnimal); // an all-zero map has no peak
    }
}
