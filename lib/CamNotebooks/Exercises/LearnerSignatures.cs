using CamNotebooks.Heatmaps;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Exercises;

/// <summary>The CAM of one image for one class (exercise 2).</summary>
/// <param name="activations">The last convolutional stage's output for one image, [K, h, w].</param>
/// <param name="weights">The final linear layer's weight, [C, K] (one row per class).</param>
/// <param name="classIndex">The class to explain, 0..C-1.</param>
/// <returns>The raw map [h, w], float32 (negative values allowed).</returns>
public delegate Tensor CamFunction(Tensor activations, Tensor weights, int classIndex);

/// <summary>Grad-CAM of one image, for one class, at any layer (exercise 4).</summary>
/// <param name="model">A classifier mapping images [N, 3, H, W] to class scores [N, C]; its layers are run with call().</param>
/// <param name="layer">A layer of <paramref name="model"/> whose output is [N, K, h, w].</param>
/// <param name="image">One preprocessed image as a batch, [1, 3, H, W].</param>
/// <param name="classIndex">The class to explain.</param>
/// <returns>The map [h, w] at the layer's resolution, float32, detached.</returns>
public delegate Tensor GradCamFunction(Module<Tensor, Tensor> model, Module<Tensor, Tensor> layer, Tensor image, int classIndex);

/// <summary>A raw map laid over a photo (exercise 5).</summary>
/// <param name="image">RGB image [3, H, W], float32, 0..255.</param>
/// <param name="map">A raw map [h, w] at layer resolution (any real values).</param>
/// <param name="colormap">The colours to use; <c>colormap.Apply(values0to1)</c> turns an [H, W] map of 0..1 into RGB [3, H, W], 0..255.</param>
/// <param name="alpha">The heatmap's opacity, 0..1.</param>
/// <returns>The blended picture, RGB [3, H, W], float32, 0..255.</returns>
public delegate Tensor OverlayFunction(Tensor image, Tensor map, Colormap colormap, double alpha);

/// <summary>The Grad-CAM formula for a batch (exercise 6).</summary>
/// <param name="activations">A layer's activations [N, K, h, w].</param>
/// <param name="gradients">The class scores' gradients with respect to them, [N, K, h, w].</param>
/// <returns>The maps [N, h, w].</returns>
public delegate Tensor GradCamFormula(Tensor activations, Tensor gradients);

/// <summary>
/// The base class of the hooks you write in the exercises: something that watches one layer, keeps the latest tensor it
/// captured in <see cref="Stored"/>, and unregisters itself in <see cref="Dispose"/>. The library's own
/// <c>CamNotebooks.Hooks.Hook</c> and <c>BackwardHook</c> are the reference the checks compare yours with.
/// </summary>
public abstract class ExerciseHook : IDisposable
{
    /// <summary>The tensor captured by the latest pass; null before the first one.</summary>
    public virtual Tensor? Stored { get; protected set; }

    /// <summary>Unregisters the hook from its layer (and may release <see cref="Stored"/>).</summary>
    public abstract void Dispose();
}
