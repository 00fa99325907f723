using CamNotebooks.Imaging;
using static TorchSharp.torch;

namespace CamNotebooks.Tests.Model;

/// <summary>Real photos for the model tests: the project's own pets sample in data/pets/images (see data/pets/README.md).</summary>
internal static class TestPhotos
{
    /// <summary>Three photos (two cats, one dog), squashed to 224x224 when loaded.</summary>
    public static readonly string[] Square = ["Bengal_109.jpg", "beagle_10.jpg", "Siamese_108.jpg"];

    public static string PathOf(string name) => TestImages.PetsImage(name);

    /// <summary>The photo as an RGB float tensor [3, 224, 224] with values 0..255 (plain resize, as the chapter does).</summary>
    public static Tensor Load(string name) => ImageLoader.Load(PathOf(name), ImageResize.Squish(224));

    /// <summary>The three photos as a batch [3, 3, 224, 224].</summary>
    public static Tensor LoadSquareBatch()
    {
        var images = Square.Select(Load).ToArray();
        try { return stack(images); }
        finally { foreach (var image in images) image.Dispose(); }
    }
}
