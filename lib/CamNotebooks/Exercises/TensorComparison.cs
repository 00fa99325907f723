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
    internal sealed record Hints(string Values, string? Scaled = null, string? Shifted = null, string? Transposed = null, string? Shape = null);

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
        if (actual.dtype != ScalarType.Float32)
            recorder.Fail("element type", FindingCodes.WrongDtype, $"got {actual.dtype}, expected Float32",
                "Keep the computation in float32, the type of the network's activations; a conversion somewhere changed it.");
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
        double eNorm = e.square().sum().item<float>();
        if (eNorm > 0)
        {
            double k = (a * e).sum().item<float>() / eNorm;
            if (Math.Abs(k - 1) > 1e-3 && Math.Abs(k) > 1e-6 && close(a, e * k))
            {
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
        var difference = (a - e).abs();
        long at = difference.flatten().argmax().item<long>();
        recorder.Fail(criterion, FindingCodes.WrongValues,
            $"largest difference {difference.max().item<float>():G4} at {Index(at, a.shape)} (yours {a.flatten()[at].item<float>():G4}, " +
            $"reference {e.flatten()[at].item<float>():G4})", hints.Values);
        return false;
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
