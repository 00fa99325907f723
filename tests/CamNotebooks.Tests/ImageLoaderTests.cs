using CamNotebooks.Imaging;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Tests;

public class ImageLoaderTests
{
    private static (float R, float G, float B) Pixel(Tensor rgb, int x, int y) =>
        (rgb[0, y, x].item<float>(), rgb[1, y, x].item<float>(), rgb[2, y, x].item<float>());

    private static void AssertColour((float R, float G, float B) expected, (float R, float G, float B) actual, float tolerance)
    {
        Assert.True(Math.Abs(expected.R - actual.R) <= tolerance && Math.Abs(expected.G - actual.G) <= tolerance
            && Math.Abs(expected.B - actual.B) <= tolerance, $"expected {expected}, got {actual}");
    }

    [Fact]
    public void A_real_photo_loads_as_a_float_RGB_tensor_of_its_size()
    {
        using var rgb = ImageLoader.Load(TestImages.PetsImage("Bengal_109.jpg"));
        Assert.Equal(new long[] { 3, 256, 383 }, rgb.shape);
        Assert.Equal(ScalarType.Float32, rgb.dtype);
        Assert.InRange(rgb.min().item<float>(), 0, 255);
        Assert.InRange(rgb.max().item<float>(), 0, 255);
        // A real photo is not flat: the channels vary a lot.
        Assert.True(rgb.std().item<float>() > 20);
        var header = ImageLoader.ReadHeader(TestImages.PetsImage("Bengal_109.jpg"));
        Assert.Equal((383, 256, SKEncodedImageFormat.Jpeg), (header.Width, header.Height, header.Format));
    }

    [Fact]
    public void Png_pixels_come_back_exactly()
    {
        var rgb = tensor(new float[] { 255, 0, 10, 0, 255, 20, 0, 0, 30, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 3, 2, 3);
        using var loaded = ImageLoader.Load(Png.Encode(rgb), "made.png");
        Assert.Equal(rgb.data<float>().ToArray(), loaded.data<float>().ToArray());
    }

    [Fact]
    public void A_grey_png_becomes_three_equal_channels()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(3, 1, SKColorType.Gray8, SKAlphaType.Opaque));
        bitmap.SetPixel(0, 0, new SKColor(0, 0, 0));
        bitmap.SetPixel(1, 0, new SKColor(100, 100, 100));
        bitmap.SetPixel(2, 0, new SKColor(255, 255, 255));
        var png = TestImages.Encode(bitmap, SKEncodedImageFormat.Png);
        Assert.Equal(0, png[25]); // IHDR colour type 0: the file really is greyscale
        using var rgb = ImageLoader.Load(png, "grey.png");
        Assert.Equal(new long[] { 3, 1, 3 }, rgb.shape);
        float[] expected = [0, 100, 255, 0, 100, 255, 0, 100, 255];
        Assert.Equal(expected, rgb.data<float>().ToArray());
    }

    [Fact]
    public void Transparency_is_composited_on_white()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(3, 1, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.SetPixel(0, 0, new SKColor(255, 0, 0, 255)); // opaque red stays red
        bitmap.SetPixel(1, 0, new SKColor(0, 0, 255, 0));   // fully transparent becomes white
        bitmap.SetPixel(2, 0, new SKColor(0, 0, 0, 102));   // 40 % black over white: 255 * 0.6 = 153
        var png = TestImages.Encode(bitmap, SKEncodedImageFormat.Png);
        Assert.Equal(6, png[25]); // IHDR colour type 6: RGBA
        Assert.True(ImageLoader.ReadHeader(png, "rgba.png").HasAlpha);
        using var rgb = ImageLoader.Load(png, "rgba.png");
        AssertColour((255, 0, 0), Pixel(rgb, 0, 0), 0);
        AssertColour((255, 255, 255), Pixel(rgb, 1, 0), 0);
        AssertColour((153, 153, 153), Pixel(rgb, 2, 0), 1);
    }

    // Expected colours at the displayed quadrants (top left, top right, bottom left, bottom right) of a stored image
    // whose quadrants are R G / B W, worked out by hand from the EXIF definitions of the eight orientations.
    [Theory]
    [InlineData(1, "RGBW")] // as stored
    [InlineData(2, "GRWB")] // mirrored left-right
    [InlineData(3, "WBGR")] // turned 180 degrees
    [InlineData(4, "BWRG")] // mirrored top-bottom
    [InlineData(5, "RBGW")] // transposed
    [InlineData(6, "BRWG")] // turned 90 degrees clockwise (a phone held upright)
    [InlineData(7, "WGBR")] // transverse
    [InlineData(8, "GWRB")] // turned 90 degrees anticlockwise
    public void Exif_orientation_is_applied(ushort orientation, string expectedQuadrants)
    {
        using var stored = TestImages.Quadrants(40, 20);
        var jpeg = TestImages.WithExifOrientation(TestImages.Encode(stored, SKEncodedImageFormat.Jpeg), orientation);
        bool swaps = orientation >= 5;
        var header = ImageLoader.ReadHeader(jpeg, "exif.jpg");
        Assert.Equal((SKEncodedOrigin)orientation, header.Origin);
        Assert.Equal(swaps ? (20, 40) : (40, 20), (header.Width, header.Height));

        using var rgb = ImageLoader.Load(jpeg, "exif.jpg");
        int width = swaps ? 20 : 40, height = swaps ? 40 : 20;
        Assert.Equal(new long[] { 3, height, width }, rgb.shape);
        var colours = new Dictionary<char, (float, float, float)>
        {
            ['R'] = (255, 0, 0), ['G'] = (0, 255, 0), ['B'] = (0, 0, 255), ['W'] = (255, 255, 255),
        };
        // Centres of the quadrants, away from JPEG ringing at the colour edges.
        var centres = new[] { (width / 4, height / 4), (3 * width / 4, height / 4), (width / 4, 3 * height / 4), (3 * width / 4, 3 * height / 4) };
        for (int q = 0; q < 4; q++)
            AssertColour(colours[expectedQuadrants[q]], Pixel(rgb, centres[q].Item1, centres[q].Item2), 12);
    }

    [Fact]
    public void Squish_stretches_the_whole_image()
    {
        using var bitmap = TestImages.Quadrants(40, 20);
        using var rgb = ImageLoader.Load(TestImages.Encode(bitmap, SKEncodedImageFormat.Png), "q.png", ImageResize.Squish(8));
        Assert.Equal(new long[] { 3, 8, 8 }, rgb.shape);
        AssertColour((255, 0, 0), Pixel(rgb, 1, 1), 0);
        AssertColour((0, 255, 0), Pixel(rgb, 6, 1), 0);
        AssertColour((0, 0, 255), Pixel(rgb, 1, 6), 0);
        AssertColour((255, 255, 255), Pixel(rgb, 6, 6), 0);
    }

    [Fact]
    public void Center_crop_keeps_the_middle_square_only()
    {
        // 30 x 10: red, green, blue thirds. The middle 10 x 10 square is exactly the green third.
        var rgb = zeros(3, 10, 30);
        rgb[0, .., ..10] = tensor(255f);
        rgb[1, .., 10..20] = tensor(255f);
        rgb[2, .., 20..] = tensor(255f);
        using var cropped = ImageResize.CenterCrop(5).Apply(rgb);
        Assert.Equal(new long[] { 3, 5, 5 }, cropped.shape);
        Assert.Equal(0f, cropped[0].abs().max().item<float>());
        Assert.Equal(255f, cropped[1].min().item<float>());
        Assert.Equal(0f, cropped[2].abs().max().item<float>());

        using var tall = ImageResize.CenterCrop(5).Apply(rgb.permute(0, 2, 1)); // 10 x 30 the other way round
        Assert.Equal(255f, tall[1].min().item<float>());
        Assert.Equal(0f, tall[0].abs().max().item<float>() + tall[2].abs().max().item<float>());
    }

    [Fact]
    public void Strong_downscaling_averages_instead_of_aliasing()
    {
        // A one-pixel checkerboard shrunk 7 times: sampling only at cell centres would give pure black or white;
        // averaging gives mid-grey everywhere.
        var board = ((arange(56).unsqueeze(0) + arange(56).unsqueeze(1)) % 2).to(ScalarType.Float32) * 255;
        using var small = ImageResize.Squish(8).Apply(board.unsqueeze(0).expand(3, 56, 56));
        Assert.InRange(small.min().item<float>(), 112, 143);
        Assert.InRange(small.max().item<float>(), 112, 143);
    }

    [Fact]
    public void No_resize_returns_the_same_pixels()
    {
        var rgb = tensor(new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, 3, 2, 2);
        using var same = ImageResize.None.Apply(rgb);
        Assert.Equal(rgb.data<float>().ToArray(), same.data<float>().ToArray());
    }

    [Fact]
    public void A_stream_loads_like_the_bytes()
    {
        var bytes = File.ReadAllBytes(TestImages.PetsImage("beagle_10.jpg"));
        using var fromBytes = ImageLoader.Load(bytes, "beagle");
        using var fromStream = ImageLoader.Load(new MemoryStream(bytes), "beagle");
        Assert.True(fromBytes.eq(fromStream).all().item<bool>());
    }

    [Fact]
    public void A_missing_file_is_named_in_the_error()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}.jpg");
        var error = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void An_empty_file_is_refused()
    {
        var path = TestImages.TempFile([], ".png");
        try
        {
            var error = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(path));
            Assert.Equal(path, error.ImageSource);
            Assert.Contains("empty", error.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Random_bytes_are_not_an_image()
    {
        var bytes = new byte[1000];
        new Random(7).NextBytes(bytes);
        var error = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(bytes, "noise.jpg"));
        Assert.Contains("noise.jpg", error.Message);
        Assert.Contains("not an image", error.Message);
    }

    [Fact]
    public void Text_is_not_an_image()
    {
        var error = Assert.Throws<ImageLoadException>(() => ImageLoader.Load("hello, world\n"u8.ToArray(), "hello.png"));
        Assert.Contains("not an image", error.Message);
    }

    [Fact]
    public void A_truncated_jpeg_is_refused()
    {
        var jpeg = File.ReadAllBytes(TestImages.PetsImage("Bengal_109.jpg"));
        var error = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(jpeg[..(jpeg.Length / 2)], "half.jpg"));
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void A_truncated_header_is_refused()
    {
        var png = Png.Encode(zeros(3, 4, 4));
        Assert.Throws<ImageLoadException>(() => ImageLoader.Load(png[..20], "stub.png"));
    }

    [Fact]
    public void A_png_declaring_a_gigantic_size_is_refused_before_decoding()
    {
        var huge = TestImages.WithPngSize(Png.Encode(zeros(3, 2, 2)), 20_000, 20_000);
        // The header is read (so the check is on declared dimensions, not on a decode failure)...
        var header = ImageLoader.ReadHeader(huge, "huge.png");
        Assert.Equal((20_000, 20_000), (header.Width, header.Height));
        // ...and loading stops there with a clear message.
        var error = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(huge, "huge.png"));
        Assert.Contains("20000x20000", error.Message);
        Assert.Contains("megapixels", error.Message);
    }

    [Fact]
    public void A_png_declaring_a_plausible_size_but_holding_no_rows_is_truncated_not_too_large()
    {
        // 3000 x 3000 passes the size check, so the decoder runs and finds only the 2 x 2 image's data.
        var claimed = TestImages.WithPngSize(Png.Encode(zeros(3, 2, 2)), 3000, 3000);
        var error = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(claimed, "claims.png"));
        Assert.DoesNotContain("megapixels", error.Message);
    }

    [Theory]
    [InlineData(10_000, 10_000, true)]  // exactly 100 megapixels: accepted
    [InlineData(10_000, 10_001, false)]
    [InlineData(int.MaxValue, int.MaxValue, false)] // no overflow
    [InlineData(0, 5, false)]
    public void The_size_limit_is_100_megapixels(int width, int height, bool accepted)
    {
        var check = () => ImageLoader.CheckDeclaredSize(width, height, "x.png");
        if (accepted) check();
        else Assert.Throws<ImageLoadException>(check);
    }
}
