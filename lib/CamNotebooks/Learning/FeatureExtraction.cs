using CamNotebooks.Data;
using CamNotebooks.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Learning;

/// <summary>
/// Runs a frozen featurizer (the pretrained body plus pooling) once over a list of photos and stacks the results,
/// so that <see cref="HeadTrainer"/> can train the head for many epochs without recomputing them.
/// </summary>
public static class FeatureExtraction
{
    /// <summary>Loads each photo, resizes it, batches and featurizes.</summary>
    /// <param name="imagePaths">The photos, in the order of the output rows.</param>
    /// <param name="featurizer">Maps a batch [B, 3, H, W] of RGB values 0..255 to features [B, F]; it does its own
    /// normalisation (e.g. <c>x =&gt; body.call(ResNetPreprocessing.Normalize(x)).mean([2, 3])</c>). Called without gradients.</param>
    /// <param name="resize">How photos are brought to one size, e.g. <c>ImageResize.CenterCrop(224)</c>; it must give every
    /// photo the same size.</param>
    /// <param name="batchSize">Photos per featurizer call.</param>
    /// <param name="progress">Called after each batch with (photos done, total).</param>
    /// <returns>Float32 features [N, F].</returns>
    /// <exception cref="ArgumentException">An empty list, a resize that keeps sizes, or a featurizer returning the wrong shape.</exception>
    /// <exception cref="ImageLoadException">A photo cannot be loaded.</exception>
    public static Tensor Extract(IReadOnlyList<string> imagePaths, Func<Tensor, Tensor> featurizer, ImageResize resize,
        int batchSize = 32, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        ArgumentNullException.ThrowIfNull(resize);
        if (resize.Mode == ImageResizeMode.None)
            throw new ArgumentException("Photos differ in size; give a resize (e.g. ImageResize.CenterCrop(224)) so they can be batched.", nameof(resize));
        return Extract(imagePaths.Count, i => ImageLoader.Load(imagePaths[i], resize), featurizer, batchSize, progress);
    }

    /// <summary>Featurizes the photos of a pets split (or any list of <see cref="PetImage"/>).</summary>
    public static Tensor Extract(IReadOnlyList<PetImage> images, Func<Tensor, Tensor> featurizer, ImageResize resize,
        int batchSize = 32, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        return Extract(images.Select(i => i.FilePath).ToList(), featurizer, resize, batchSize, progress);
    }

    /// <summary>The general loop: <paramref name="loadImage"/>(i) gives image i as [3, H, W] (all the same size).</summary>
    /// <exception cref="ArgumentException">No images, images of different sizes, or a featurizer returning the wrong shape.</exception>
    public static Tensor Extract(int count, Func<int, Tensor> loadImage, Func<Tensor, Tensor> featurizer, int batchSize = 32,
        Action<int, int>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentNullException.ThrowIfNull(loadImage);
        ArgumentNullException.ThrowIfNull(featurizer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var parts = new List<Tensor>();
        try
        {
            using var _ = no_grad();
            for (int start = 0; start < count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                int end = Math.Min(start + batchSize, count);
                var images = Enumerable.Range(start, end - start).Select(loadImage).ToList();
                var first = images[0].shape;
                int odd = images.FindIndex(t => !t.shape.SequenceEqual(first));
                if (odd >= 0)
                    throw new ArgumentException($"Image {start + odd} is [{string.Join(", ", images[odd].shape)}] but image {start} is " +
                        $"[{string.Join(", ", first)}]; all must have one size to be batched.");
                var features = featurizer(stack(images));
                if (features.dim() != 2 || features.shape[0] != end - start)
                    throw new ArgumentException($"The featurizer must return [B, F] for a batch of B = {end - start}, got " +
                        $"[{string.Join(", ", features.shape)}]. Pool spatial dimensions (mean over 2 and 3) before returning.");
                parts.Add(features.to(ScalarType.Float32).contiguous().MoveToOuterDisposeScope());
                progress?.Invoke(end, count);
            }
            return cat(parts, 0);
        }
        finally
        {
            foreach (var part in parts) part.Dispose();
        }
    }

    /// <summary>The labels of photos as an int64 tensor [N] (0 dog, 1 cat), in the same order as their features.</summary>
    public static Tensor Labels(IReadOnlyList<PetImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        return tensor(images.Select(i => (long)i.Label).ToArray());
    }
}
