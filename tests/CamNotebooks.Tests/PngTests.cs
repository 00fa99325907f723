using CamNotebooks.Imaging;
using SkiaSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Tests;

public class PngTests
{
    [Fact]
    public void Encoded_pixels_decode_back_to_the_same_colours()
    {
        // 2x3 image: red, green, blue on the first row; black, white, mid-grey (127.6 rounds to 128) on the second.
        var rgb = tensor(new float[]
        {
            255, 0, 0, 0, 255, 127.6f,
            0, 255, 0, 0, 255, 127.6f,
            0, 0, 255, 0, 255, 127.6f,
        }, 3, 2, 3);
        using var bitmap = SKBitmap.Decode(Png.Encode(rgb));
        Assert.Equal((3, 2), (bitmap.Width, bitmap.Height));
        Assert.Equal(new SKColor(255, 0, 0), bitmap.GetPixel(0, 0));
        Assert.Equal(new SKColor(0, 255, 0), bitmap.GetPixel(1, 0));
        Assert.Equal(new SKColor(0, 0, 255), bitmap.GetPixel(2, 0));
        Assert.Equal(new SKColor(0, 0, 0), bitmap.GetPixel(0, 1));
        Assert.Equal(new SKColor(255, 255, 255), bitmap.GetPixel(1, 1));
        Assert.Equal(new SKColor(128, 128, 128), bitmap.GetPixel(2, 1));
    }

    [Fact]
    public void Wrong_shape_is_refused_with_a_hint()
    {
        var error = Assert.Throws<ArgumentException>(() => Png.Encode(zeros(1, 3, 4, 4)));
        Assert.Contains("[3, H, W]", error.Message);
        Assert.Contains("[1, 3, 4, 4]", error.Message);
    }
}
