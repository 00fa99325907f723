using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Learning;

/// <summary>
/// The chapter's classifier head reduced to what CAM needs: one linear layer from the body's pooled features (512 for
/// ResNet-18/34) to the class scores (2: dog, cat). Because nothing non-linear follows the pooling, the score of class c
/// is exactly the average over positions of <c>weight[c] · activation[:, i, j]</c> (plus bias), which is why CAM is
/// <c>einsum("ck,kij->cij", Weight, activations)</c>.
/// </summary>
/// <remarks>
/// Initialised like PyTorch's <c>nn.Linear</c> (uniform in ±1/√inFeatures for weight and bias) but from its own seeded
/// generator, so two heads made with the same seed are identical whatever else used the global random state.
/// </remarks>
public sealed class LinearHead : Module<Tensor, Tensor>
{
    private readonly Linear linear;

    /// <summary>Creates a head mapping <paramref name="inFeatures"/> pooled features to <paramref name="classes"/> scores.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public LinearHead(int inFeatures = 512, int classes = 2, ulong seed = 0) : base(nameof(LinearHead))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        InFeatures = inFeatures;
        Classes = classes;
        linear = Linear(inFeatures, classes);
        RegisterComponents();
        var generator = new Generator(seed);
        double bound = 1 / Math.Sqrt(inFeatures);
        using (no_grad())
        using (NewDisposeScope())
        {
            linear.weight!.copy_(rand([classes, inFeatures], generator: generator) * (2 * bound) - bound);
            linear.bias!.copy_(rand([classes], generator: generator) * (2 * bound) - bound);
        }
    }

    /// <summary>Number of input features.</summary>
    public int InFeatures { get; }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>The weight [classes, inFeatures]: row c says how much each feature channel counts for class c (CAM uses it).</summary>
    public Parameter Weight => linear.weight!;

    /// <summary>The bias [classes].</summary>
    public Parameter Bias => linear.bias!;

    /// <summary>Class scores (logits) [N, classes] for pooled features [N, inFeatures].</summary>
    /// <exception cref="ArgumentException">The features are not [N, inFeatures].</exception>
    public override Tensor forward(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.dim() != 2 || features.shape[1] != InFeatures)
            throw new ArgumentException($"Expected pooled features [N, {InFeatures}], got [{string.Join(", ", features.shape)}]. " +
                "Pool the body's activations over their spatial positions first (mean over dims 2 and 3).", nameof(features));
        return linear.call(features);
    }

    /// <summary>Class probabilities (softmax of the scores) [N, classes], computed without gradients.</summary>
    public Tensor Probabilities(Tensor features)
    {
        using var _ = no_grad();
        return functional.softmax(call(features), 1);
    }

    /// <summary>Saves the weights in TorchSharp's format (via a temporary file, so no half-written file is left).</summary>
    public void Save(string path) => IO.AtomicFile.Write(path, temporary => save(temporary));

    /// <summary>Loads a head saved with <see cref="Save"/>; the sizes must be those it was saved with.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a saved head of these sizes.</exception>
    public static LinearHead Load(string path, int inFeatures = 512, int classes = 2)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No saved head at '{Path.GetFullPath(path)}'.", path);
        var head = new LinearHead(inFeatures, classes);
        try
        {
            head.load(path, strict: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or EndOfStreamException
                                      or System.Runtime.InteropServices.ExternalException)
        {
            head.Dispose();
            throw new InvalidDataException(
                $"'{path}' is not a saved LinearHead({inFeatures} -> {classes}): {e.Message}", e);
        }
        return head;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) linear.Dispose();
        base.Dispose(disposing);
    }
}
