using static TorchSharp.torch;

namespace CamNotebooks.Evaluation;

/// <summary>Which faithfulness curve: take the highlighted pixels away, or put them back one step at a time.</summary>
public enum CurveKind
{
    /// <summary>Start from the photo and blank the most-highlighted pixels first: a faithful map makes the probability fall fast (low area).</summary>
    Deletion,

    /// <summary>Start from a blank image and reveal the most-highlighted pixels first: a faithful map makes the probability rise fast (high area).</summary>
    Insertion,
}

/// <summary>
/// Deletion and insertion curves (Petsiuk et al. 2018, "RISE", arXiv:1806.07421): if a map really shows what the model
/// used, removing its brightest pixels should hurt the class probability most, and revealing them first should restore it
/// soonest.
/// </summary>
/// <remarks>
/// <para>"Blank" means 0 in the network's input space, which after this model's preprocessing (subtract the mean image)
/// is the mean image: a pixel that carries no information, rather than black, which is a strong signal of its own. Insertion
/// starts from the all-blank image (the mean image) and deletion ends there, so both curves meet the same end points.</para>
/// <para>Only pixels where the map is positive are ever blanked or revealed, most positive first (ties in pixel order):
/// a pixel the map gives no evidence to is not highlighted. So a map with no positive value leaves every step equal to its
/// starting image and the probability unchanged: a flat deletion curve at the photo's probability, a flat insertion curve at
/// the blank image's, the worst score on both.</para>
/// <para>Step k of <c>steps</c> changes the first round(k/steps · H·W) pixels of that order; the area under the curve is the
/// trapezoid rule over the fraction of pixels, 0..1.</para>
/// </remarks>
public static class DeletionInsertion
{
    /// <summary>Curves use 10 steps (10% of the pixels each) unless told otherwise.</summary>
    public const int DefaultSteps = 10;

    /// <summary>Indices (row · width + column) of the map's positive pixels, most positive first; ties keep pixel order.</summary>
    public static int[] PixelOrder(float[,] map)
    {
        ArgumentNullException.ThrowIfNull(map);
        int width = map.GetLength(1);
        return Enumerable.Range(0, map.Length)
            .Select(i => (Index: i, Value: map[i / width, i % width]))
            .Where(p => p.Value > 0)
            .OrderByDescending(p => p.Value).ThenBy(p => p.Index)
            .Select(p => p.Index).ToArray();
    }

    /// <summary>
    /// The curve's <paramref name="steps"/> + 1 input images [steps + 1, C, H, W] for one image [C, H, W] (already in the
    /// network's input space) and its map [H, W]. Image 0 is the start (the photo for deletion, blank for insertion).
    /// </summary>
    /// <exception cref="ArgumentException">The image is not [C, H, W] or the map's size differs from the image's.</exception>
    public static Tensor Inputs(Tensor image, float[,] map, CurveKind kind, int steps = DefaultSteps)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        if (image.dim() != 3 || image.shape[1] != map.GetLength(0) || image.shape[2] != map.GetLength(1))
            throw new ArgumentException(
                $"Expected one image [C, H, W] and a map [H, W] of the same size, got [{string.Join(", ", image.shape)}] and " +
                $"{map.GetLength(0)}x{map.GetLength(1)}. Upsample the map to the input size first (HeatmapMath.Upsample).");
        int pixels = map.Length;
        var order = PixelOrder(map);
        // rank[p] = when pixel p changes (its place in the order); pixels that never change get a rank past every step.
        var rank = Enumerable.Repeat(pixels, pixels).ToArray();
        for (int i = 0; i < order.Length; i++) rank[order[i]] = i;
        using var scope = NewDisposeScope();
        var rankTensor = tensor(rank).reshape(1, 1, image.shape[1], image.shape[2]);
        var counts = tensor(Enumerable.Range(0, steps + 1).Select(k => (int)Math.Round((double)k * pixels / steps)).ToArray())
            .reshape(-1, 1, 1, 1);
        var changed = (rankTensor < counts).to(image.dtype); // [steps + 1, 1, H, W]: 1 where the pixel is blanked / revealed
        var kept = kind == CurveKind.Deletion ? 1 - changed : changed;
        return (image.unsqueeze(0) * kept).MoveToOuterDisposeScope();
    }

    /// <summary>The curve: the class probability at each step (steps + 1 values, fraction of pixels 0, 1/steps, ..., 1).</summary>
    /// <param name="probability">The model's probability of the explained class for a batch of inputs, one value per input.</param>
    /// <param name="image">The image in the network's input space [C, H, W].</param>
    /// <param name="map">Its map at the image's size.</param>
    /// <param name="kind">Deletion or insertion.</param>
    /// <param name="steps">Number of steps.</param>
    public static double[] Curve(Func<Tensor, float[]> probability, Tensor image, float[,] map, CurveKind kind, int steps = DefaultSteps)
    {
        ArgumentNullException.ThrowIfNull(probability);
        using var inputs = Inputs(image, map, kind, steps);
        var values = probability(inputs);
        if (values.Length != steps + 1)
            throw new InvalidOperationException($"The probability function returned {values.Length} values for {steps + 1} inputs.");
        return values.Select(v => (double)v).ToArray();
    }

    /// <summary>Area under a curve sampled at equal steps over 0..1 (trapezoid rule).</summary>
    /// <exception cref="ArgumentException">Fewer than two points.</exception>
    public static double AreaUnderCurve(IReadOnlyList<double> curve)
    {
        ArgumentNullException.ThrowIfNull(curve);
        if (curve.Count < 2) throw new ArgumentException("A curve needs at least two points.", nameof(curve));
        double sum = 0;
        for (int i = 1; i < curve.Count; i++) sum += (curve[i - 1] + curve[i]) / 2;
        return sum / (curve.Count - 1);
    }
}
