using CamNotebooks.Imaging;
using SkiaSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Tests;

public class DisplayTests
{
    [Fact]
    public void A_display_image_embeds_its_png_in_html_and_saves_it()
    {
        var image = DisplayImage.FromTensor(full(3, 2, 5, 200f));
        Assert.Equal((5, 2), (image.Width, image.Height));
        var html = image.ToHtml(displayWidth: 50, alt: "a <test>");
        Assert.Contains("width=\"50\"", html);
        Assert.Contains("a &lt;test&gt;", html);
        var base64 = html.Split("base64,")[1].Split('"')[0];
        Assert.Equal(image.PngBytes, Convert.FromBase64String(base64));

        var path = Path.Combine(Path.GetTempPath(), $"camnotebooks-{Guid.NewGuid():N}", "out.png");
        try
        {
            image.Save(path);
            using var bitmap = SKBitmap.Decode(path);
            Assert.Equal(new SKColor(200, 200, 200), bitmap.GetPixel(4, 1));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temporary file left behind
        }
        finally { Directory.Delete(Path.GetDirectoryName(path)!, recursive: true); }
    }

    [Fact]
    public void Only_png_bytes_are_accepted_as_png()
    {
        using var bitmap = new SKBitmap(4, 4);
        Assert.Throws<ArgumentException>(() => DisplayImage.FromPng(TestImages.Encode(bitmap, SKEncodedImageFormat.Jpeg)));
        Assert.Throws<ArgumentException>(() => DisplayImage.FromPng([]));
        Assert.Equal(4, DisplayImage.FromPng(TestImages.Encode(bitmap, SKEncodedImageFormat.Png)).Width);
    }

    [Fact]
    public void A_grid_places_images_side_by_side_with_padding()
    {
        var red = zeros(3, 3, 2); red[0] = tensor(255f);
        var blue = zeros(3, 1, 2); blue[2] = tensor(255f); // shorter: centred vertically in its cell
        using var grid = ImageGrid.Compose([red, blue], padding: 1);
        // Width: 1 + 2 + 1 + 2 + 1 = 7; height: 1 + 3 + 1 = 5.
        Assert.Equal(new long[] { 3, 5, 7 }, grid.shape);
        float[] Rgb(int x, int y) => [grid[0, y, x].item<float>(), grid[1, y, x].item<float>(), grid[2, y, x].item<float>()];
        Assert.Equal([255f, 255, 255], Rgb(0, 0));   // padding is white
        Assert.Equal([255f, 0, 0], Rgb(1, 1));       // red starts at (1, 1)
        Assert.Equal([255f, 0, 0], Rgb(2, 3));       // and fills 2 x 3
        Assert.Equal([255f, 255, 255], Rgb(3, 2));   // gap between cells
        Assert.Equal([255f, 255, 255], Rgb(4, 1));   // above the centred blue
        Assert.Equal([0f, 0, 255], Rgb(4, 2));       // blue sits in the middle row (1 + (3 - 1) / 2 = 2)
        Assert.Equal([0f, 0, 255], Rgb(5, 2));
        Assert.Equal([255f, 255, 255], Rgb(5, 3));
    }

    [Fact]
    public void Columns_wrap_the_grid_into_rows()
    {
        var images = Enumerable.Range(0, 5).Select(_ => zeros(3, 4, 4)).ToList();
        using var grid = ImageGrid.Compose(images, columns: 2, padding: 2);
        // 3 rows of 2 columns: width 2 + 2 * (4 + 2) = 14, height 2 + 3 * (4 + 2) = 20.
        Assert.Equal(new long[] { 3, 20, 14 }, grid.shape);
    }

    [Fact]
    public void Captions_are_drawn_under_the_images()
    {
        var images = new[] { full(3, 40, 80, 255f), full(3, 40, 80, 255f) };
        using var plain = ImageGrid.Compose(images);
        using var captioned = ImageGrid.Compose(images, ["cat 0.98", null]);
        Assert.True(captioned.shape[1] > plain.shape[1], "captions add height");
        // Everything is white except the text: the caption band under the first image has dark pixels,
        // the one under the second (no caption) has none.
        var band = captioned[.., 44.., ..];
        Assert.True(band[.., .., ..84].min().item<float>() < 100, "text under the first image");
        Assert.Equal(255f, band[.., .., 86..].min().item<float>());
        Assert.Throws<ArgumentException>(() => ImageGrid.Compose(images, ["only one"]));
        Assert.Throws<ArgumentException>(() => ImageGrid.Compose([]));
    }

    [Fact]
    public void The_notebook_grid_shows_each_caption_as_text_beside_its_own_picture()
    {
        var images = new[] { full(3, 40, 80, 255f), full(3, 30, 60, 0f), full(3, 40, 80, 128f) };
        string longCaption = "american_bulldog_115: Grad-CAM layer4 <the one that used to be cut>";
        var grid = ImageGrid.Display(images, [longCaption, null, "magma, alpha 0.6"], columns: 2, fontSize: 13);
        string html = grid.ToHtml();
        // Every picture is its own PNG of the image's own size: nothing drawn into it.
        var pngs = System.Text.RegularExpressions.Regex.Matches(html, "base64,(?<b>[A-Za-z0-9+/=]+)")
            .Select(m => DisplayImage.FromPng(Convert.FromBase64String(m.Groups["b"].Value))).ToList();
        Assert.Equal([(80, 40), (60, 30), (80, 40)], pngs.Select(p => (p.Width, p.Height)));
        // The captions are whole, encoded text in figcaptions; a picture without a caption gets none.
        Assert.Contains("<figcaption style=\"font-size:13px;line-height:1.3;overflow-wrap:anywhere\">american_bulldog_115: Grad-CAM layer4 &lt;the one that used to be cut&gt;</figcaption>", html);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(html, "<figcaption").Count);
        // Two cells of 80 + 2 * 4 pixels per row on a wide page; each cell may shrink on a narrow one.
        Assert.StartsWith("<div class=\"camnb-figures\" style=\"max-width:176px\">", html);
        Assert.Contains("width:88px;max-width:100%", html);
        Assert.Throws<ArgumentException>(() => ImageGrid.Display(images, ["only one"]));
        Assert.Throws<ArgumentException>(() => ImageGrid.Display([]));
        Assert.Throws<ArgumentException>(() => ImageGrid.Display([zeros(1, 4, 4)]));
    }
}
