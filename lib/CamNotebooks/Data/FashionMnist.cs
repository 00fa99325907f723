using TorchSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Data;

/// <summary>Images and labels of one Fashion-MNIST part (train or test). Dispose it to free the tensors.</summary>
public sealed class FashionMnistSet : IDisposable
{
    internal FashionMnistSet(Tensor images, Tensor labels)
    {
        Images = images;
        Labels = labels;
    }

    /// <summary>Images as float32 [N, 1, 28, 28], values 0..1 (byte / 255), white-on-black as stored.</summary>
    public Tensor Images { get; }

    /// <summary>Labels as int64 [N], 0..9, indices into <see cref="FashionMnist.ClassNames"/>.</summary>
    public Tensor Labels { get; }

    /// <summary>Number of examples.</summary>
    public int Count => (int)Labels.shape[0];

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}

/// <summary>
/// Loads the Fashion-MNIST subset in <c>data/fashion-mnist</c> (first 12,000 training and 2,000 test examples; 28x28
/// grey images of 10 kinds of clothing; MIT licence, Zalando SE).
/// </summary>
public static class FashionMnist
{
    /// <summary>The 10 class names by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The training part (<c>train-*-ubyte.gz</c>).</summary>
    /// <param name="directory">The folder; found with <see cref="DataDirectory.Find"/> when null.</param>
    /// <exception cref="DirectoryNotFoundException">The folder cannot be found.</exception>
    /// <exception cref="DataFormatException">A file is missing or malformed.</exception>
    public static FashionMnistSet LoadTrain(string? directory = null) => LoadPart("train", directory);

    /// <summary>The test part (<c>t10k-*-ubyte.gz</c>).</summary>
    /// <param name="directory">The folder; found with <see cref="DataDirectory.Find"/> when null.</param>
    /// <exception cref="DirectoryNotFoundException">The folder cannot be found.</exception>
    /// <exception cref="DataFormatException">A file is missing or malformed.</exception>
    public static FashionMnistSet LoadTest(string? directory = null) => LoadPart("t10k", directory);

    /// <summary>Loads an images file ([N, rows, cols]) and a labels file ([N], values below 10) that belong together.</summary>
    /// <exception cref="DataFormatException">A file is missing or malformed, or they do not match.</exception>
    public static FashionMnistSet Load(string imagesPath, string labelsPath)
    {
        var images = IdxFile.Read(imagesPath);
        var labels = IdxFile.Read(labelsPath);
        if (images.Shape.Count != 3)
            throw new DataFormatException(imagesPath, $"expected images [N, rows, cols], found [{string.Join(", ", images.Shape)}].");
        if (labels.Shape.Count != 1)
            throw new DataFormatException(labelsPath, $"expected labels [N], found [{string.Join(", ", labels.Shape)}].");
        if (images.Shape[0] != labels.Shape[0])
            throw new DataFormatException(labelsPath, $"{labels.Shape[0]} labels for {images.Shape[0]} images in '{imagesPath}'.");
        int bad = Array.FindIndex(labels.Data, l => l >= ClassNames.Count);
        if (bad >= 0)
            throw new DataFormatException(labelsPath, $"label {labels.Data[bad]} at index {bad} is not a class (0..{ClassNames.Count - 1}).");

        using var scope = NewDisposeScope();
        var pixels = torch.tensor(images.Data, [images.Shape[0], 1, images.Shape[1], images.Shape[2]], ScalarType.Byte);
        var imageTensor = pixels.to(ScalarType.Float32).div_(255f);
        var labelTensor = torch.tensor(labels.Data, [labels.Shape[0]], ScalarType.Byte).to(ScalarType.Int64);
        return new FashionMnistSet(imageTensor.MoveToOuterDisposeScope(), labelTensor.MoveToOuterDisposeScope());
    }

    private static FashionMnistSet LoadPart(string prefix, string? directory)
    {
        var root = DataDirectory.Find("fashion-mnist", directory);
        return Load(Path.Combine(root, $"{prefix}-images-idx3-ubyte.gz"), Path.Combine(root, $"{prefix}-labels-idx1-ubyte.gz"));
    }
}
