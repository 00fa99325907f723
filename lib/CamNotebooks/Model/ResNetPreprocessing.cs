using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Model;

/// <summary>
/// The input normalisation that <c>ResNetPreprocess.onnx</c> applies before the network: RGB 0..255 floats are reordered to BGR and
/// the <see cref="MeanImage"/> (a spatially varying 1x3x224x224 BGR image, channel averages about 103 / 116 / 123) is
/// subtracted. There is no scaling to 0..1 and no division by a standard deviation. <see cref="Decode"/> undoes it for display.
/// </summary>
public sealed class ResNetPreprocessing : IDisposable
{
    /// <summary>Height and width of the stored mean image (the size the network was trained at).</summary>
    public const int MeanImageSize = 224;

    private ResNetPreprocessing(Tensor meanImage) => MeanImage = meanImage;

    /// <summary>The mean image [1, 3, 224, 224], channels in BGR order, values 0..255.</summary>
    public Tensor MeanImage { get; }

    /// <summary>Reads the mean image from <c>ResNetPreprocess.onnx</c>, found as described in <see cref="ResNetModelFiles.Locate"/>.</summary>
    /// <exception cref="PretrainedModelException">The file is missing, damaged or not the expected graph.</exception>
    public static ResNetPreprocessing Load(string? onnxDirectory = null)
    {
        return LoadPackaged(ResNetModelFiles.Locate(onnxDirectory).PreprocessPath);
    }

    /// <summary>Reads the file after checking it is byte for byte the packaged one.</summary>
    internal static ResNetPreprocessing LoadPackaged(string path)
    {
        FileHashes.RequirePackaged(path, FileHashes.PackagedPreprocess);
        return FromFile(path);
    }

    /// <summary>Reads and checks the graph: Split RGB, Concat as BGR, Sub a stored mean image.</summary>
    internal static ResNetPreprocessing FromFile(string path)
    {
        var graph = OnnxFiles.Parse(path).Graph ?? new GraphProto();
        PretrainedModelException Unexpected(string what) => new(
            $"{path} is not the expected ResNet preprocessing graph of {ResNetModelFiles.PackageId} {ResNetModelFiles.PackageVersion} " +
            $"(Split RGB -> Concat BGR -> Sub MeanImage [1, 3, 224, 224]): {what}. Delete the package folder from the NuGet package cache and run `dotnet restore`.");
        var ops = graph.Node.Select(n => n.OpType).ToArray();
        if (!ops.SequenceEqual(["Split", "Concat", "Sub"])) throw Unexpected($"nodes are {string.Join(", ", ops)}");
        var (split, concat, sub) = (graph.Node[0], graph.Node[1], graph.Node[2]);
        // Concatenating the split outputs in reverse order is the RGB -> BGR swap.
        if (split.Output.Count != 3 || !concat.Input.SequenceEqual([split.Output[2], split.Output[1], split.Output[0]]))
            throw Unexpected("the Concat does not reverse the three channels");
        if (sub.Input.Count != 2 || sub.Input[0] != concat.Output[0]) throw Unexpected("the Sub does not subtract from the BGR image");
        var mean = graph.Initializer.FirstOrDefault(t => t.Name == sub.Input[1]) ?? throw Unexpected("the subtracted mean image is not stored in the file");
        long[] expectedShape = [1, 3, MeanImageSize, MeanImageSize];
        if (!mean.Dims.SequenceEqual(expectedShape)) throw Unexpected($"the mean image has shape [{string.Join(", ", mean.Dims)}]");
        return new ResNetPreprocessing(tensor(OnnxFiles.ToFloats(mean, path), expectedShape));
    }

    /// <summary>
    /// RGB 0..255 images -> the network's input: BGR minus the mean image. Accepts [N, 3, H, W] or [3, H, W] (any numeric dtype;
    /// the result is float32 with the same rank). For H x W other than 224 x 224 the mean image is resized bilinearly
    /// (align_corners = false) to H x W; the ONNX graph itself only accepts 224 x 224, so this is our extension, not the original.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is not [3, H, W] or [N, 3, H, W].</exception>
    public Tensor Normalize(Tensor rgb0to255)
    {
        using var scope = NewDisposeScope();
        var (batch, single) = AsBatch(rgb0to255, nameof(rgb0to255), "RGB images with values 0..255");
        var bgr = batch.flip(1);
        var result = bgr - MeanImageFor(batch.shape[2], batch.shape[3]);
        return (single ? result.squeeze(0) : result).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The inverse of <see cref="Normalize"/> (the chapter's <c>decode</c>): adds the mean image back and reorders BGR to RGB.
    /// Returns RGB 0..255 floats (not clamped) with the input's rank.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is not [3, H, W] or [N, 3, H, W].</exception>
    public Tensor Decode(Tensor normalized)
    {
        using var scope = NewDisposeScope();
        var (batch, single) = AsBatch(normalized, nameof(normalized), "normalised BGR images");
        var rgb = (batch + MeanImageFor(batch.shape[2], batch.shape[3])).flip(1);
        return (single ? rgb.squeeze(0) : rgb).MoveToOuterDisposeScope();
    }

    /// <summary>The mean image at H x W: the stored one at 224 x 224, else resized bilinearly. Shape [1, 3, H, W], BGR.</summary>
    public Tensor MeanImageFor(long height, long width)
    {
        if (height < 1 || width < 1) throw new ArgumentException($"Image size must be positive, got {height}x{width}.");
        if (height == MeanImageSize && width == MeanImageSize) return MeanImage.alias();
        return nn.functional.interpolate(MeanImage, size: [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
    }

    /// <summary>Releases the mean image.</summary>
    public void Dispose() => MeanImage.Dispose();

    private static (Tensor Batch, bool Single) AsBatch(Tensor images, string parameter, string what)
    {
        ArgumentNullException.ThrowIfNull(images, parameter);
        var single = images.dim() == 3;
        if (!(single || images.dim() == 4) || images.shape[^3] != 3 || images.shape[^1] == 0 || images.shape[^2] == 0)
            throw new ArgumentException(
                $"Expected {what} of shape [N, 3, H, W] or [3, H, W] (channels first), got [{string.Join(", ", images.shape)}]. " +
                "Move channels first with permute(2, 0, 1) if needed.", parameter);
        var batch = images.to(ScalarType.Float32);
        return (single ? batch.unsqueeze(0) : batch, single);
    }
}
