using TorchSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Exercises;

/// <summary>A typical wrong answer: if the learner's result matches <see cref="Variant"/>, the check says which mistake it was.</summary>
/// <param name="Code">The diagnosis code.</param>
/// <param name="Detail">What the result looks like (e.g. "this is the map of class 0").</param>
/// <param name="Hint">The concept to revisit.</param>
/// <param name="Variant">Computes the wrong answer from the same inputs (called only when needed).</param>
internal sealed record KnownMistake(string Code, string Detail, string Hint, Func<Tensor> Variant);

/// <summary>Compares a learner's tensor with the reference and explains the difference when there is one.</summary>
internal static class TensorComparison
{
    /// <summary>Hints for the generic differences; a check may pass its own.</summary>
    internal sealed record Hints(string Values, string? Scaled = null, string? Shifted = null, string? Transposed = null, string? Shape = null)
    {
        /// <summary>What a float32 result is made from, for the element-type hint ("the activations and weights you were given").</summary>
        public string Inputs { get; init; } = "the tensors you were given";

        /// <summary>
        /// The result is a map (its last two dimensions are positions): also recognise the display transforms a raw map must
        /// not take (min-max scaling, clamping, a softmax over the positions) and axes reshaped where they had to be permuted.
        /// </summary>
        public bool Map { get; init; }

        /// <summary>Scale factors with a meaning (1/(h·w), 1/K...): when the result is the reference times one, say which.</summary>
        public IReadOnlyList<NamedFactor> Factors { get; init; } = [];
    }

    /// <summary>A known scale factor: the result is <see cref="Factor"/> × the reference.</summary>
    internal sealed record NamedFactor(double Factor, string Code, string Detail, string Hint);

    /// <summary>
    /// Records one finding for <paramref name="criterion"/>: met if <paramref name="actual"/> equals
    /// <paramref name="expected"/> (float32, same shape) within tolerance; else the first explanation that fits: a known
    /// mistake, a wrong shape, transposed rows and columns, a constant factor, a constant offset, or just the largest
    /// difference. A wrong dtype is reported as its own finding. Returns true when the values match.
    /// </summary>
    public static bool Compare(CheckRecorder recorder, string criterion, Tensor? actual, Tensor expected, Hints hints,
        IEnumerable<KnownMistake>? mistakes = null, Func<Tensor, Tensor, bool>? close = null)
    {
        close ??= (a, b) => Close(a, b);
        if (actual is null)
        {
            recorder.Fail(criterion, FindingCodes.NoResult, "your code returned null", "Return the tensor you computed.");
            return false;
        }
        if (actual.IsInvalid)
        {
            recorder.Fail(criterion, FindingCodes.NoResult, "the tensor you returned was already disposed",
                "A tensor created inside a `using` block or a dispose scope is freed at its end; return one that outlives it " +
                "(e.g. MoveToOuterDisposeScope, or no scope around the result).");
            return false;
        }
        // No no_grad() here: some variants run the model and need autograd. Everything compared is detached anyway.
        using var scope = NewDisposeScope();
        if (actual.dtype == ScalarType.Byte && actual.dim() == 0)
        {
            recorder.Fail("element type", FindingCodes.WrongDtype, "got a single Byte value",
                "In TorchSharp, t.sum(0) calls sum(ScalarType type) — the literal 0 converts to the enum, and ScalarType 0 is Byte — " +
                "so it adds up everything as a byte. Name the argument to reduce one dimension: t.sum(dim: 0).");
            return false;
        }
        // Once per check: the same conversion shows in every case.
        if (actual.dtype != ScalarType.Float32 && !recorder.Findings.Any(f => f.Code == FindingCodes.WrongDtype))
            recorder.Fail("element type", FindingCodes.WrongDtype, $"got {actual.dtype}, expected Float32 ({criterion})",
                $"Keep the computation in float32, the type of {hints.Inputs}; a conversion somewhere changed it.");
        var a = actual.detach().cpu().to(ScalarType.Float32);
        var e = expected.detach().cpu().to(ScalarType.Float32);
        bool sameShape = a.shape.SequenceEqual(e.shape);
        if (sameShape && close(a, e))
        {
            recorder.Pass(criterion, $"matches the reference, shape {Shape(e)}");
            return true;
        }
        foreach (var mistake in mistakes ?? [])
        {
            Tensor variant;
            try { variant = mistake.Variant().detach().cpu().to(ScalarType.Float32); }
            catch (Exception) { continue; } // a variant that cannot be formed for these inputs cannot be what they did
            if (variant.shape.SequenceEqual(a.shape) && close(a, variant))
            {
                recorder.Fail(criterion, mistake.Code, mistake.Detail, mistake.Hint);
                return false;
            }
        }
        if (!sameShape)
        {
            bool swapped = a.dim() == e.dim() && a.dim() >= 2 && a.shape[^1] == e.shape[^2] && a.shape[^2] == e.shape[^1]
                && a.shape[..^2].SequenceEqual(e.shape[..^2]);
            if (swapped && close(a, e.transpose(-1, -2)))
                recorder.Fail(criterion, FindingCodes.Transposed, $"got shape {Shape(a)}, expected {Shape(e)}: rows and columns are swapped",
                    hints.Transposed ?? "Rows are the height (i), columns the width (j); check the order of the output dimensions.");
            else
                recorder.Fail(criterion, FindingCodes.WrongShape, $"got shape {Shape(a)}, expected {Shape(e)}",
                    hints.Shape ?? "Follow the shapes step by step: which dimensions should a sum or mean remove, which should stay?");
            return false;
        }
        if (a.dim() >= 2 && a.shape[^1] == a.shape[^2] && close(a, e.transpose(-1, -2)))
        {
            recorder.Fail(criterion, FindingCodes.Transposed, "your map is the reference's with rows and columns swapped",
                hints.Transposed ?? "Rows are the height (i), columns the width (j); check the order of the output dimensions.");
            return false;
        }
        if (hints.Map && MapTransform(a, e, close) is { } transform)
        {
            recorder.Fail(criterion, transform.Code, transform.Detail, transform.Hint);
            return false;
        }
        double eNorm = e.square().sum().item<float>();
        if (eNorm > 0)
        {
            double k = (a * e).sum().item<float>() / eNorm;
            if (Math.Abs(k - 1) > 1e-3 && Math.Abs(k) > 1e-6 && close(a, e * k))
            {
                var named = hints.Factors.FirstOrDefault(f => Math.Abs(k - f.Factor) <= 1e-3 * Math.Abs(f.Factor));
                if (named is not null)
                    recorder.Fail(criterion, named.Code, $"your values are {k:G4} × the reference's: {named.Detail}", named.Hint);
                else
                    recorder.Fail(criterion, FindingCodes.ScaledValues, $"your values are {k:G4} × the reference's",
                        hints.Scaled ?? "The pattern is right but the scale is not: look for an extra average, division or factor.");
                return false;
            }
        }
        double offset = (a - e).mean().item<float>();
        if (Math.Abs(offset) > 1e-6 && close(a, e + offset))
        {
            recorder.Fail(criterion, FindingCodes.ShiftedValues, $"your values are the reference's {(offset > 0 ? "+" : "−")} {Math.Abs(offset):G4}",
                hints.Shifted ?? "The pattern is right but everything is shifted by the same amount: look for a term that does not depend on the position.");
            return false;
        }
        if (a.isnan().any().item<bool>())
        {
            recorder.Fail(criterion, FindingCodes.WrongValues, $"your result contains NaN at {a.isnan().sum().item<long>()} of {a.numel()} places",
                "NaN comes from 0 / 0 (e.g. scaling a map whose maximum equals its minimum) or from a NaN that was already in a tensor you used.");
            return false;
        }
        var difference = (a - e).abs();
        long at = difference.flatten().argmax().item<long>();
        recorder.Fail(criterion, FindingCodes.WrongValues,
            $"largest difference {difference.max().item<float>():G4} at {Index(at, a.shape)} (yours {a.flatten()[at].item<float>():G4}, " +
            $"reference {e.flatten()[at].item<float>():G4})", hints.Values);
        return false;
    }

    private sealed record Transform(string Code, string Detail, string Hint);

    /// <summary>Which display transform of the reference map <paramref name="a"/> is, if any (maps are the last two dimensions).</summary>
    private static Transform? MapTransform(Tensor a, Tensor e, Func<Tensor, Tensor, bool> close)
    {
        if (e.dim() < 2 || e.numel() < 2) return null;
        var flat = e.flatten(-2);
        var min = flat.min(-1, keepdim: true).values.unsqueeze(-1);
        var max = flat.max(-1, keepdim: true).values.unsqueeze(-1);
        const string RawHint = "A map's raw values carry its meaning (how much each position adds to the score); scaling to 0..1 is a display step, done later, when it is coloured.";
        if ((max - min).abs().min().item<float>() > 1e-6 && close(a, (e - min) / (max - min)))
            return new(FindingCodes.Normalised, "your map is the reference min-max scaled to 0..1", RawHint);
        if (max.abs().min().item<float>() > 1e-6 && close(a, e / max) && !close(e / max, e))
            return new(FindingCodes.Normalised, "your map is the reference divided by its maximum", RawHint);
        foreach (var (low, high) in new[] { (0.0, 1.0), (-1.0, 1.0) })
        {
            var clamped = e.clamp(low, high);
            if (!close(clamped, e) && close(a, clamped))
                return new(FindingCodes.Clamped, $"your map is the reference clamped to [{low}, {high}]",
                    "Nothing limits a map's values to a range: keep them as they come out of the formula.");
        }
        var softmax = flat.softmax(-1).reshape(e.shape);
        if (close(a, softmax))
            return new(FindingCodes.SoftmaxOverPositions, "your map is a softmax of the reference over its positions",
                "A softmax turns scores into probabilities across classes; a map is not a distribution over positions, keep its raw values.");
        if (e.shape[^1] != e.shape[^2])
        {
            const string Hint = "reshape keeps the memory order and only cuts it differently; to move an axis (rows ↔ columns, channels last) use permute or transpose.";
            var reshaped = e.transpose(-1, -2).reshape(e.shape);
            if (!close(reshaped, e) && close(a, reshaped))
                return new(FindingCodes.ReshapedNotPermuted, "your map is the reference transposed, then reshaped back to [h, w] (axes reshaped, not permuted)", Hint);
            var dims = e.shape.ToArray();
            (dims[^1], dims[^2]) = (dims[^2], dims[^1]);
            var cut = e.reshape(dims).transpose(-1, -2);
            if (close(a, cut))
                return new(FindingCodes.ReshapedNotPermuted, "your map is the reference reshaped to [w, h], then transposed (axes reshaped, not permuted)", Hint);
        }
        return null;
    }

    /// <summary>max |a - b| ≤ 1e-5 + 1e-3 · max |b|: loose enough for another order of summation, tight enough for any real mistake.</summary>
    public static bool Close(Tensor a, Tensor b, double relative = 1e-3)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var scope = NewDisposeScope();
        if (a.isnan().any().item<bool>()) return false;
        double scale = b.numel() == 0 ? 0 : b.abs().max().item<float>();
        return (a - b).abs().max().item<float>() <= 1e-5 + relative * scale;
    }

    public static string Shape(Tensor t) => $"[{string.Join(", ", t.shape)}]";

    private static string Index(long flat, long[] shape)
    {
        var index = new long[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return $"[{string.Join(", ", index)}]";
    }
}
