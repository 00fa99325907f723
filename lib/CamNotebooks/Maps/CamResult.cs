using static TorchSharp.torch;

namespace CamNotebooks.Maps;

/// <summary>
/// The maps one method computed for a batch: one map per image at the chosen layer's resolution, with the class each
/// map explains and how strongly the model believed in it.
/// </summary>
/// <remarks>
/// <see cref="Maps"/> holds raw values (CAM maps can be negative; Grad-CAM's are already passed through ReLU). Scale them
/// for display with <c>CamNotebooks.Heatmaps.HeatmapMath.Normalize</c>. The tensor belongs to the dispose scope that
/// was open when the map was computed (if any) and is released by <see cref="Dispose"/>.
/// </remarks>
public sealed class CamResult : IDisposable
{
    internal CamResult(string method, string layerName, Tensor maps, int[] classIndices, float[] scores, float[] probabilities, int[] predicted)
    {
        Method = method;
        LayerName = layerName;
        Maps = maps;
        ClassIndices = classIndices;
        Scores = scores;
        Probabilities = probabilities;
        PredictedClasses = predicted;
    }

    /// <summary>The name of the method that computed the maps (<see cref="CamMethod.Name"/>, e.g. "Grad-CAM").</summary>
    public string Method { get; }

    /// <summary>The dotted name of the layer the maps were taken from.</summary>
    public string LayerName { get; }

    /// <summary>The maps, float32, shape [N, h, w] (h x w = the layer's spatial size, e.g. 7 x 7 for a ResNet's last stage).</summary>
    public Tensor Maps { get; }

    /// <summary>For each image, the class index its map explains.</summary>
    public IReadOnlyList<int> ClassIndices { get; }

    /// <summary>For each image, the model's raw output (logit) for <see cref="ClassIndices"/>.</summary>
    public IReadOnlyList<float> Scores { get; }

    /// <summary>For each image, the softmax probability of <see cref="ClassIndices"/>.</summary>
    public IReadOnlyList<float> Probabilities { get; }

    /// <summary>For each image, the class the model predicted (arg-max of its output).</summary>
    public IReadOnlyList<int> PredictedClasses { get; }

    /// <summary>Number of images (and maps).</summary>
    public int Count => ClassIndices.Count;

    /// <summary>The raw map of image <paramref name="index"/> as a [row, column] array.</summary>
    public float[,] MapValues(int index)
    {
        RequireImage(index);
        int rows = (int)Maps.shape[1], columns = (int)Maps.shape[2];
        using var map = Maps[index].contiguous();
        var flat = map.data<float>().ToArray();
        var values = new float[rows, columns];
        Buffer.BlockCopy(flat, 0, values, 0, flat.Length * sizeof(float));
        return values;
    }

    /// <summary>A one-line description of image <paramref name="index"/>'s map, e.g. for a caption.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not an image of this batch.</exception>
    public string Describe(int index, IReadOnlyList<string>? classNames = null)
    {
        RequireImage(index);
        string Name(int c) => classNames is not null && c < classNames.Count ? classNames[c] : $"class {c}";
        return $"{Method} on {LayerName} for {Name(ClassIndices[index])} (p = {Probabilities[index]:0.000}, " +
               $"predicted {Name(PredictedClasses[index])})";
    }

    private void RequireImage(int index)
    {
        if (index < 0 || index >= Count)
            throw new ArgumentOutOfRangeException(nameof(index), index,
                $"Image {index} does not exist: this result holds {Count} map(s), numbered 0..{Count - 1}.");
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Method} on {LayerName}: {Count} map(s) of {Maps.shape[1]}x{Maps.shape[2]}, classes [{string.Join(", ", ClassIndices)}]";

    /// <summary>Releases the maps tensor.</summary>
    public void Dispose() => Maps.Dispose();
}
