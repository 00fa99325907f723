using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Tests.Model;

/// <summary>Real photos for the model tests (Oxford-IIIT Pet, CC BY-SA 4.0; see TestImages/README.md).</summary>
internal static class TestPhotos
{
    /// <summary>The 224x224 photos.</summary>
    public static readonly string[] Square = ["Bengal_109.png", "beagle_10.png", "Siamese_108.png"];

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Model", "TestImages", name);

    /// <summary>The photo as an RGB float tensor [3, H, W] with values 0..255.</summary>
    public static Tensor Load(string name)
    {
        var path = PathOf(name);
        using var decoded = SKBitmap.Decode(path) ?? throw new InvalidOperationException($"Cannot decode {path}.");
        using var rgba = decoded.Copy(SKColorType.Rgba8888);
        var bytes = rgba.Bytes;
        using var hwc = tensor(bytes, [rgba.Height, rgba.Width, 4]);
        using var rgb = hwc.slice(2, 0, 3, 1);
        return rgb.permute(2, 0, 1).to(ScalarType.Float32).contiguous();
    }

    /// <summary>The three square photos as a batch [3, 3, 224, 224].</summary>
    public static Tensor LoadSquareBatch()
    {
        var images = Square.Select(Load).ToArray();
        try { return stack(images); }
        finally { foreach (var image in images) image.Dispose(); }
    }
}
