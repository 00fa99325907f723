using CamNotebooks.Data;
using CamNotebooks.Imaging;
using CamNotebooks.Learning;
using static TorchSharp.torch;

namespace CamNotebooks.Evaluation;

/// <summary>
/// The photos a benchmark runs on, prepared once: the network inputs, the true classes, and the head boxes and body
/// outlines rasterised on the same 224 x 224 centre crop the network sees (<see cref="PetClassifier.InputResize"/>).
/// </summary>
public sealed class EvaluationSet : IDisposable
{
    private EvaluationSet(IReadOnlyList<PetImage> images, Tensor inputs, int[] labels, bool[][,] outlines, bool[][,] heads)
    {
        Images = images;
        Inputs = inputs;
        Labels = labels;
        Outlines = outlines;
        HeadBoxes = heads;
    }

    /// <summary>The photos, in order.</summary>
    public IReadOnlyList<PetImage> Images { get; }

    /// <summary>Preprocessed inputs [N, 3, 224, 224].</summary>
    public Tensor Inputs { get; }

    /// <summary>True class of each photo (0 dog, 1 cat): the class every map explains.</summary>
    public int[] Labels { get; }

    /// <summary>Body outline masks [224, 224], true inside.</summary>
    public bool[][,] Outlines { get; }

    /// <summary>Head box masks [224, 224], true inside.</summary>
    public bool[][,] HeadBoxes { get; }

    /// <summary>Number of photos.</summary>
    public int Count => Labels.Length;

    /// <summary>Loads and prepares <paramref name="images"/> (e.g. <c>PetsDataset.Load().Split().Validation</c>).</summary>
    /// <exception cref="ArgumentException">No images.</exception>
    public static EvaluationSet Load(PetClassifier model, IReadOnlyList<PetImage> images)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("No images to evaluate on.", nameof(images));
        var resize = PetClassifier.InputResize;
        using var scope = NewDisposeScope();
        var rgb = stack(images.Select(i => i.Load(resize)).ToArray());
        var inputs = model.Pretrained.Preprocessing.Normalize(rgb).MoveToOuterDisposeScope();
        return new EvaluationSet(images.ToList(), inputs, images.Select(i => i.Label).ToArray(),
            images.Select(i => i.Outline.ToMask(resize.Height, resize.Width, resize.Mode)).ToArray(),
            images.Select(i => i.HeadBox.ToMask(resize.Height, resize.Width, resize.Mode)).ToArray());
    }

    /// <summary>
    /// A smaller set for a quick run: <paramref name="count"/> photos spread evenly over this set (photo i · N / count), so a
    /// subset of a name-ordered split still holds cats and dogs of many breeds. Shares no tensor with this set.
    /// </summary>
    public EvaluationSet Subset(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        count = Math.Min(count, Count);
        var picked = Enumerable.Range(0, count).Select(i => (int)((long)i * Count / count)).ToArray();
        using var index = tensor(picked.Select(i => (long)i).ToArray());
        return new EvaluationSet(picked.Select(i => Images[i]).ToList(), Inputs.index_select(0, index),
            picked.Select(i => Labels[i]).ToArray(), picked.Select(i => Outlines[i]).ToArray(), picked.Select(i => HeadBoxes[i]).ToArray());
    }

    /// <summary>Releases the inputs.</summary>
    public void Dispose() => Inputs.Dispose();
}
