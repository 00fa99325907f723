using CamNotebooks.Learning;
using CamNotebooks.Maps;
using static TorchSharp.torch;

namespace CamNotebooks.Evaluation;

/// <summary>One of the map methods under evaluation, applied to a <see cref="PetClassifier"/> at a named layer.</summary>
public sealed class MapMethod
{
    private readonly Func<PetClassifier, string, Tensor, int[], CamResult> _compute;

    private MapMethod(string name, bool lastStageOnly, Func<PetClassifier, string, Tensor, int[], CamResult> compute)
    {
        Name = name;
        LastStageOnly = lastStageOnly;
        _compute = compute;
    }

    /// <summary>The classifier's last stage, the only one CAM works on.</summary>
    public const string LastStage = "body.layer4";

    /// <summary>The target layers measured, last stage first: body.layer4 (7x7), body.layer3 (14x14), body.layer2 (28x28).</summary>
    public static IReadOnlyList<string> Layers { get; } = [LastStage, "body.layer3", "body.layer2"];

    /// <summary>CAM: the head's weights times the last stage's activations.</summary>
    public static MapMethod Cam { get; } = new("CAM", true, (model, layer, batch, classes) =>
        ClassActivationMap.Compute(model, model.Body.Layer4, model.HeadLinear, batch, classes));

    /// <summary>Grad-CAM.</summary>
    public static MapMethod GradCam { get; } = new("Grad-CAM", false, (model, layer, batch, classes) => Maps.GradCam.Compute(model, layer, batch, classes));

    /// <summary>Grad-CAM++.</summary>
    public static MapMethod GradCamPlusPlus { get; } = new("Grad-CAM++", false, (model, layer, batch, classes) => Maps.GradCamPlusPlus.Compute(model, layer, batch, classes));

    /// <summary>LayerCAM.</summary>
    public static MapMethod LayerCam { get; } = new("LayerCAM", false, (model, layer, batch, classes) => Maps.LayerCam.Compute(model, layer, batch, classes));

    /// <summary>The four methods, in the order the chapters introduce them.</summary>
    public static IReadOnlyList<MapMethod> All { get; } = [Cam, GradCam, GradCamPlusPlus, LayerCam];

    /// <summary>Every (method, layer) pair measured: CAM on the last stage, the gradient methods on each of <paramref name="layers"/>.</summary>
    public static IReadOnlyList<(MapMethod Method, string Layer)> Pairs(IEnumerable<string>? layers = null) =>
        (layers ?? Layers).SelectMany(layer => All.Where(m => m.AppliesTo(layer)).Select(m => (m, layer))).ToList();

    /// <summary>"CAM", "Grad-CAM", "Grad-CAM++" or "LayerCAM".</summary>
    public string Name { get; }

    /// <summary>Whether the method only works on the last stage (CAM).</summary>
    public bool LastStageOnly { get; }

    /// <summary>Whether the method can be computed at <paramref name="layer"/>.</summary>
    public bool AppliesTo(string layer) => !LastStageOnly || layer == LastStage;

    /// <summary>
    /// Raw maps at the layer's resolution, one [h, w] array per image, for the given classes, computed in chunks of
    /// <paramref name="chunk"/> images (bounds memory for the inner layers).
    /// </summary>
    /// <exception cref="ArgumentException">CAM asked for another layer than the last stage.</exception>
    public float[][,] Compute(PetClassifier model, string layer, Tensor inputs, int[] classes, int chunk = 16) =>
        Compute(model, layer, inputs, classes, chunk, upsampleTo: null);

    /// <summary>The same maps bilinearly upsampled to the input size (as the overlays show them), one [H, W] array per image.</summary>
    public float[][,] ComputeUpsampled(PetClassifier model, string layer, Tensor inputs, int[] classes, int chunk = 16) =>
        Compute(model, layer, inputs, classes, chunk, upsampleTo: (inputs.shape[2], inputs.shape[3]));

    private float[][,] Compute(PetClassifier model, string layer, Tensor inputs, int[] classes, int chunk, (long H, long W)? upsampleTo)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(classes);
        if (!AppliesTo(layer))
            throw new ArgumentException($"{Name} only works on the last stage ({LastStage}), not on '{layer}'.", nameof(layer));
        if (classes.Length != inputs.shape[0])
            throw new ArgumentException($"{classes.Length} classes for {inputs.shape[0]} images: give one per image.", nameof(classes));
        var maps = new List<float[,]>();
        for (int start = 0; start < classes.Length; start += chunk)
        {
            using var scope = NewDisposeScope();
            int end = Math.Min(start + chunk, classes.Length);
            using var result = _compute(model, layer, inputs[start..end], classes[start..end]);
            var values = upsampleTo is { } size ? Heatmaps.HeatmapMath.Upsample(result.Maps, size.H, size.W) : result.Maps;
            maps.AddRange(ToArrays(values));
        }
        return maps.ToArray();
    }

    /// <summary>Splits maps [N, h, w] into N arrays [h, w].</summary>
    internal static float[][,] ToArrays(Tensor maps)
    {
        int count = (int)maps.shape[0], rows = (int)maps.shape[1], columns = (int)maps.shape[2];
        using var contiguous = maps.detach().cpu().to(ScalarType.Float32).contiguous();
        var flat = contiguous.data<float>().ToArray();
        var result = new float[count][,];
        for (int i = 0; i < count; i++)
        {
            result[i] = new float[rows, columns];
            Buffer.BlockCopy(flat, i * rows * columns * sizeof(float), result[i], 0, rows * columns * sizeof(float));
        }
        return result;
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
