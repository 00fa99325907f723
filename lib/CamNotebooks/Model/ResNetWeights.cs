using TorchSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Model;

/// <summary>
/// The weights of <see cref="ResNetBody"/> as plain arrays, named as in its state dict: the result of converting the ONNX graph,
/// and what the weight cache stores.
/// </summary>
internal sealed class ResNetWeights
{
    public ResNetWeights(IReadOnlyList<NamedArray> entries, float batchNormEpsilon)
    {
        Entries = entries;
        BatchNormEpsilon = batchNormEpsilon;
    }

    /// <summary>Conv weights and batch-norm weight/bias/running_mean/running_var, in graph order.</summary>
    public IReadOnlyList<NamedArray> Entries { get; }

    /// <summary>Epsilon shared by all batch norms (float32, as stored in the graph).</summary>
    public float BatchNormEpsilon { get; }

    /// <summary>Number of values in all entries.</summary>
    public long ValueCount => Entries.Sum(e => (long)e.Values.Length);

    /// <summary>
    /// Copies every entry into the parameter or buffer of the same name. Every parameter and running statistic of the body must
    /// be covered, with the same shape (<c>num_batches_tracked</c> counters are training bookkeeping and stay as they are).
    /// </summary>
    public void CopyInto(ResNetBody body)
    {
        using var noGrad = no_grad();
        var targets = body.state_dict();
        var assigned = new HashSet<string>();
        foreach (var entry in Entries)
        {
            if (!targets.TryGetValue(entry.Name, out var target))
                throw new InvalidOperationException($"Converted weight '{entry.Name}' has no counterpart in ResNetBody.");
            if (!target.shape.SequenceEqual(entry.Shape))
                throw new InvalidOperationException(
                    $"Converted weight '{entry.Name}' has shape [{string.Join(", ", entry.Shape)}], ResNetBody expects [{string.Join(", ", target.shape)}].");
            using var source = tensor(entry.Values, entry.Shape);
            target.copy_(source);
            assigned.Add(entry.Name);
        }
        var missing = targets.Keys.Where(k => !k.EndsWith("num_batches_tracked", StringComparison.Ordinal) && !assigned.Contains(k)).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"No converted weight for: {string.Join(", ", missing)}.");
    }
}
