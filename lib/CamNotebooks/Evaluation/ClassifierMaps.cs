using CamNotebooks.Learning;
using CamNotebooks.Maps;
using static TorchSharp.torch;

namespace CamNotebooks.Evaluation;

/// <summary>
/// How the evaluation applies the map methods (<see cref="CamMethods.All"/>) to a <see cref="PetClassifier"/>: at named
/// layers, in chunks, as plain arrays.
/// </summary>
public static class ClassifierMaps
{
    /// <summary>The classifier's last stage, the only one CAM works on.</summary>
    public const string LastStage = "body.layer4";

    /// <summary>The target layers measured, last stage first: body.layer4 (7x7), body.layer3 (14x14), body.layer2 (28x28).</summary>
    public static IReadOnlyList<string> Layers { get; } = [LastStage, "body.layer3", "body.layer2"];

    /// <summary>Every (method, layer) pair measured: last-stage-only methods (CAM) on the last stage, the others on each of
    /// <paramref name="layers"/>. Methods that score masked inputs (Score-CAM, a forward pass per channel) only with
    /// <paramref name="withCostly"/>: the benchmarks leave them out, chapter 07 measures them on a few photos.</summary>
    public static IReadOnlyList<(CamMethod Method, string Layer)> Pairs(IEnumerable<string>? layers = null, bool withCostly = false) =>
        (layers ?? Layers).SelectMany(layer => CamMethods.All.Where(m => m.AppliesTo(layer) && (withCostly || !m.ScoresInputs))
            .Select(m => (m, layer))).ToList();

    /// <summary>Whether <paramref name="method"/> can be computed at <paramref name="layer"/> of the classifier.</summary>
    public static bool AppliesTo(this CamMethod method, string layer) => !method.LastStageOnly || layer == LastStage;

    /// <summary>
    /// Raw maps at the layer's resolution, one [h, w] array per image, for the given classes, computed in chunks of
    /// <paramref name="chunk"/> images (bounds memory for the inner layers).
    /// </summary>
    /// <exception cref="ArgumentException">CAM asked for another layer than the last stage.</exception>
    public static float[][,] ComputeArrays(this CamMethod method, PetClassifier model, string layer, Tensor inputs, int[] classes,
        int chunk = 16) => Compute(method, model, layer, inputs, classes, chunk, upsampleTo: null);

    /// <summary>The same maps bilinearly upsampled to the input size (as the overlays show them), one [H, W] array per image.</summary>
    public static float[][,] ComputeUpsampled(this CamMethod method, PetClassifier model, string layer, Tensor inputs, int[] classes,
        int chunk = 16) => Compute(method, model, layer, inputs, classes, chunk, upsampleTo: (inputs.shape[2], inputs.shape[3]));

    private static float[][,] Compute(CamMethod method, PetClassifier model, string layer, Tensor inputs, int[] classes, int chunk,
        (long H, long W)? upsampleTo)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(classes);
        if (!method.AppliesTo(layer))
            throw new ArgumentException($"{method.Name} only works on the last stage ({LastStage}), not on '{layer}'.", nameof(layer));
        if (classes.Length != inputs.shape[0])
            throw new ArgumentException($"{classes.Length} classes for {inputs.shape[0]} images: give one per image.", nameof(classes));
        var maps = new List<float[,]>();
        for (int start = 0; start < classes.Length; start += chunk)
        {
            using var scope = NewDisposeScope();
            int end = Math.Min(start + chunk, classes.Length);
            using var result = method.Compute(model, layer, inputs[start..end], classes[start..end], head: model.HeadLinear);
            var values = upsampleTo is { } size ? Heatmaps.HeatmapMath.Upsample(result.Maps, size.H, size.W) : result.Maps;
            maps.AddRange(ToArrays(values));
        }
        return maps.ToArray();
    }

    /// <summary>
    /// The maps of every pair, in the order given, as <see cref="ComputeArrays"/> or <see cref="ComputeUpsampled"/> would
    /// return them one pair at a time; but the pairs on one layer whose formula reads only activations and gradients share
    /// one probe per chunk (one forward and one backward pass for Grad-CAM, Grad-CAM++ and LayerCAM together), since their
    /// formulas read the same tensors. An evaluation that compares methods pays for the pass once, not once per method.
    /// </summary>
    public static float[][][,] ComputeEach(IReadOnlyList<(CamMethod Method, string Layer)> pairs, PetClassifier model, Tensor inputs,
        int[] classes, bool upsampled, int chunk = 16)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(classes);
        (long H, long W)? size = upsampled ? (inputs.shape[2], inputs.shape[3]) : null;
        var maps = new float[pairs.Count][][,];
        static bool Shares(CamMethod method) => method.NeedsGradients && !method.LastStageOnly && !method.ScoresInputs;
        for (int p = 0; p < pairs.Count; p++)
            if (!Shares(pairs[p].Method))
                maps[p] = Compute(pairs[p].Method, model, pairs[p].Layer, inputs, classes, chunk, size);
        foreach (var group in Enumerable.Range(0, pairs.Count).Where(p => Shares(pairs[p].Method)).GroupBy(p => pairs[p].Layer))
        {
            if (classes.Length != inputs.shape[0])
                throw new ArgumentException($"{classes.Length} classes for {inputs.shape[0]} images: give one per image.", nameof(classes));
            var (module, name) = ((LayerReference)group.Key).Resolve(model);
            var lists = group.ToDictionary(p => p, _ => new List<float[,]>());
            for (int start = 0; start < classes.Length; start += chunk)
            {
                using var scope = NewDisposeScope();
                int end = Math.Min(start + chunk, classes.Length);
                var probe = LayerProbe.Run(model, module, name, inputs[start..end], classes[start..end], withGradients: true);
                using var noGrad = no_grad();
                foreach (int p in group)
                {
                    var values = pairs[p].Method.Formula(new CamInputs(probe.Activations, probe.Gradients, null, probe.Classes));
                    lists[p].AddRange(ToArrays(size is { } s ? Heatmaps.HeatmapMath.Upsample(values, s.H, s.W) : values));
                }
            }
            foreach (var (p, list) in lists) maps[p] = list.ToArray();
        }
        return maps;
    }

    /// <summary>Splits maps [N, h, w] into N arrays [h, w].</summary>
    public static float[][,] ToArrays(Tensor maps)
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
}
