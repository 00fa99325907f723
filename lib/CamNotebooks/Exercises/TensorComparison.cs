using static TorchSharp.torch;

namespace CamNotebooks.Exercises;

/// <summary>A typical wrong answer: a result matching <see cref="Variant"/> (computed only when needed) is named.</summary>
internal sealed record KnownMistake(string Code, string Detail, string Hint, Func<Tensor> Variant);

/// <summary>A known scale factor: the result is <see cref="Factor"/> × the reference.</summary>
internal sealed record NamedFactor(double Factor, string Code, string Detail, string Hint);

/// <summary>
/// Hints for the generic differences (a check may pass its own) and what the result is: made from <see cref="Inputs"/> (for the
/// float32 hint), a <see cref="Map"/> (display transforms and reshapes recognised), one map per image along dimension 0
/// (<see cref="Images"/> moved or reordered recognised), with <see cref="Factors"/> that mean something (1/(h·w), 1/K...).
/// </summary>
internal sealed record Hints(string Values, string? Scaled = null, string? Shifted = null, string? Transposed = null,
    string? Shape = null, string Inputs = "the tensors you were given", bool Map = false, bool Images = false,
    IReadOnlyList<NamedFactor>? Factors = null)
{
    public IReadOnlyList<NamedFactor> Factors { get; } = Factors ?? [];
}

/// <summary>
/// Compares a learner's tensor with the reference and explains the difference: an ordered list of small rules, each of which
/// either recognises the result (and gives the finding) or passes it on to the next; the last always answers.
/// </summary>
internal static class TensorComparison
{
    /// <summary>What the rules look at: the learner's tensor as given (<see cref="Raw"/>) and as float32 on the CPU (<see cref="A"/>).</summary>
    private sealed record Case(CheckRecorder Recorder, string Criterion, Tensor? Raw, Tensor E, Hints Hints, IEnumerable<KnownMistake> Mistakes,
        Func<Tensor, Tensor, bool> Close)
    {
        public Tensor A => field ??= Raw!.detach().cpu().to(ScalarType.Float32);
        public bool SameShape => A.shape.SequenceEqual(E.shape);
        public CheckFinding Fail(string code, string detail, string hint) => new(Criterion, false, code, detail, hint);
        public CheckFinding Pass(string detail) => new(Criterion, true, CheckFinding.OkCode, detail, null);
    }

    private const string TransposedHint = "Rows are the height (i), columns the width (j); check the order of the output dimensions.";
    private const string RawHint = "A map's raw values carry its meaning (how much each position adds to the score); scaling to 0..1 is a display step, done later, when it is coloured.";
    private const string ReshapeHint = "reshape keeps the memory order and only cuts it differently; to move an axis (rows ↔ columns, channels last) use permute or transpose.";

    // In the order they are tried: the first that recognises the result gives the finding.
    private static readonly Func<Case, CheckFinding?>[] Rules =
    [
        c => c.Raw is null ? c.Fail(FindingCodes.NoResult, "your code returned null", "Return the tensor you computed.") : null,
        c => c.Raw!.IsInvalid ? c.Fail(FindingCodes.NoResult, "the tensor you returned was already disposed",
            "A tensor created inside a `using` block or a dispose scope is freed at its end; return one that outlives it " +
            "(e.g. MoveToOuterDisposeScope, or no scope around the result).") : null,
        c => c.Raw!.dtype == ScalarType.Byte && c.Raw.dim() == 0 ? new("element type", false, FindingCodes.WrongDtype, "got a single Byte value",
            "In TorchSharp, t.sum(0) calls sum(ScalarType type) — the literal 0 converts to the enum, and ScalarType 0 is Byte — " +
            "so it adds up everything as a byte. Name the argument to reduce one dimension: t.sum(dim: 0).") : null,
        ElementType,
        c => c.SameShape && c.Close(c.A, c.E) ? c.Pass($"matches the reference, shape {Shape(c.E)}") : null,
        KnownMistakes,
        Permuted,
        ImagesReordered,
        c => c.SameShape ? null
            : c.E.dim() >= 2 && c.Close(c.A, c.E.transpose(-1, -2))
                ? c.Fail(FindingCodes.Transposed, $"got shape {Shape(c.A)}, expected {Shape(c.E)}: rows and columns are swapped", c.Hints.Transposed ?? TransposedHint)
                : c.Fail(FindingCodes.WrongShape, $"got shape {Shape(c.A)}, expected {Shape(c.E)}",
                    c.Hints.Shape ?? "Follow the shapes step by step: which dimensions should a sum or mean remove, which should stay?"),
        c => c.A.dim() >= 2 && c.A.shape[^1] == c.A.shape[^2] && c.Close(c.A, c.E.transpose(-1, -2))
            ? c.Fail(FindingCodes.Transposed, "your map is the reference's with rows and columns swapped", c.Hints.Transposed ?? TransposedHint) : null,
        DisplayTransform,
        Scaled,
        Shifted,
        c => c.A.isnan().any().item<bool>() ? c.Fail(FindingCodes.WrongValues, $"your result contains NaN at {c.A.isnan().sum().item<long>()} of {c.A.numel()} places",
            "NaN comes from 0 / 0 (e.g. scaling a map whose maximum equals its minimum) or from a NaN that was already in a tensor you used.") : null,
        LargestDifference,
    ];

    /// <summary>
    /// Records the finding of the first rule that recognises <paramref name="actual"/>, and a wrong element type once per check.
    /// True when it matches <paramref name="expected"/> within tolerance.
    /// </summary>
    public static bool Compare(CheckRecorder recorder, string criterion, Tensor? actual, Tensor expected, Hints hints,
        IEnumerable<KnownMistake>? mistakes = null, Func<Tensor, Tensor, bool>? close = null)
    {
        // No no_grad() here: some variants run the model and need autograd. Everything compared is detached anyway.
        using var scope = NewDisposeScope();
        var c = new Case(recorder, criterion, actual, expected.detach().cpu().to(ScalarType.Float32), hints, mistakes ?? [], close ?? ((a, b) => Close(a, b)));
        var finding = Rules.Select(rule => rule(c)).First(f => f is not null)!;
        recorder.Add(finding);
        return finding.Passed;
    }

    /// <summary>Reported beside the verdict, once per check (the same conversion shows in every case); never the verdict itself.</summary>
    private static CheckFinding? ElementType(Case c)
    {
        if (c.Raw!.dtype != ScalarType.Float32 && !c.Recorder.Findings.Any(f => f.Code == FindingCodes.WrongDtype))
            c.Recorder.Fail("element type", FindingCodes.WrongDtype, $"got {c.Raw.dtype}, expected Float32 ({c.Criterion})",
                $"Keep the computation in float32, the type of {c.Hints.Inputs}; a conversion somewhere changed it.");
        return null;
    }

    private static CheckFinding? KnownMistakes(Case c)
    {
        foreach (var mistake in c.Mistakes)
        {
            Tensor variant;
            try { variant = mistake.Variant().detach().cpu().to(ScalarType.Float32); }
            catch (Exception) { continue; } // a variant that cannot be formed for these inputs cannot be what they did
            if (variant.shape.SequenceEqual(c.A.shape) && c.Close(c.A, variant)) return c.Fail(mistake.Code, mistake.Detail, mistake.Hint);
        }
        return null;
    }

    /// <summary>One map per image, right, but the images along another axis than the first.</summary>
    private static CheckFinding? Permuted(Case c)
    {
        if (!c.Hints.Images || c.E.dim() != 3) return null;
        foreach (var order in new long[][] { [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0] })
            if (c.Close(c.A, c.E.permute(order)))
                return c.Fail(FindingCodes.ImagesMixed, $"your maps are right, but the images run along dimension {Array.IndexOf(order, 0L)} of your result, not dimension 0",
                    "Stack one map per image along a new first dimension: [N, h, w].");
        return null;
    }

    /// <summary>Each image's map right, but not in the images' order.</summary>
    private static CheckFinding? ImagesReordered(Case c)
    {
        if (!c.Hints.Images || !c.SameShape || c.A.dim() == 0 || c.A.shape[0] < 2) return null;
        long n = c.A.shape[0];
        var used = new HashSet<long>();
        for (long i = 0; i < n; i++)
        {
            long match = Enumerable.Range(0, (int)n).Select(m => (long)m).FirstOrDefault(m => !used.Contains(m) && c.Close(c.A[i], c.E[m]), -1);
            if (match < 0) return null;
            used.Add(match);
        }
        return c.Fail(FindingCodes.ImagesMixed, "your maps are right, but in another order than the images", "Map n belongs to image n: keep the images in the order they came.");
    }

    /// <summary>A display transform of the reference map (min-max, ÷max, clamp, softmax over positions) or axes reshaped, not permuted.</summary>
    private static CheckFinding? DisplayTransform(Case c)
    {
        var (a, e) = (c.A, c.E);
        if (!c.Hints.Map || e.dim() < 2 || e.numel() < 2) return null;
        var flat = e.flatten(-2);
        var min = flat.min(-1, keepdim: true).values.unsqueeze(-1);
        var max = flat.max(-1, keepdim: true).values.unsqueeze(-1);
        if ((max - min).abs().min().item<float>() > 1e-6 && c.Close(a, (e - min) / (max - min)))
            return c.Fail(FindingCodes.Normalised, "your map is the reference min-max scaled to 0..1", RawHint);
        if (max.abs().min().item<float>() > 1e-6 && c.Close(a, e / max) && !c.Close(e / max, e))
            return c.Fail(FindingCodes.Normalised, "your map is the reference divided by its maximum", RawHint);
        foreach (var (low, high) in new[] { (0.0, 1.0), (-1.0, 1.0) })
            if (e.clamp(low, high) is var clamped && !c.Close(clamped, e) && c.Close(a, clamped))
                return c.Fail(FindingCodes.Clamped, $"your map is the reference clamped to [{low}, {high}]",
                    "Nothing limits a map's values to a range: keep them as they come out of the formula.");
        if (c.Close(a, flat.softmax(-1).reshape(e.shape)))
            return c.Fail(FindingCodes.SoftmaxOverPositions, "your map is a softmax of the reference over its positions",
                "A softmax turns scores into probabilities across classes; a map is not a distribution over positions, keep its raw values.");
        if (e.shape[^1] == e.shape[^2]) return null;
        var reshaped = e.transpose(-1, -2).reshape(e.shape);
        if (!c.Close(reshaped, e) && c.Close(a, reshaped))
            return c.Fail(FindingCodes.ReshapedNotPermuted, "your map is the reference transposed, then reshaped back to [h, w] (axes reshaped, not permuted)", ReshapeHint);
        var swapped = e.reshape([.. e.shape[..^2], e.shape[^1], e.shape[^2]]).transpose(-1, -2);
        return c.Close(a, swapped)
            ? c.Fail(FindingCodes.ReshapedNotPermuted, "your map is the reference reshaped to [w, h], then transposed (axes reshaped, not permuted)", ReshapeHint)
            : null;
    }

    /// <summary>The reference times a constant (named when it is one of the check's meaningful factors).</summary>
    private static CheckFinding? Scaled(Case c)
    {
        double eNorm = c.E.square().sum().item<float>();
        if (eNorm <= 0) return null;
        double k = (c.A * c.E).sum().item<float>() / eNorm;
        if (Math.Abs(k - 1) <= 1e-3 || Math.Abs(k) <= 1e-6 || !c.Close(c.A, c.E * k)) return null;
        return c.Hints.Factors.FirstOrDefault(f => Math.Abs(k - f.Factor) <= 1e-3 * Math.Abs(f.Factor)) is { } named
            ? c.Fail(named.Code, $"your values are {k:G4} × the reference's: {named.Detail}", named.Hint)
            : c.Fail(FindingCodes.ScaledValues, $"your values are {k:G4} × the reference's",
                c.Hints.Scaled ?? "The pattern is right but the scale is not: look for an extra average, division or factor.");
    }

    private static CheckFinding? Shifted(Case c)
    {
        double offset = (c.A - c.E).mean().item<float>();
        return Math.Abs(offset) > 1e-6 && c.Close(c.A, c.E + offset)
            ? c.Fail(FindingCodes.ShiftedValues, $"your values are the reference's {(offset > 0 ? "+" : "−")} {Math.Abs(offset):G4}",
                c.Hints.Shifted ?? "The pattern is right but everything is shifted by the same amount: look for a term that does not depend on the position.")
            : null;
    }

    private static CheckFinding LargestDifference(Case c)
    {
        var difference = (c.A - c.E).abs();
        long at = difference.flatten().argmax().item<long>();
        return c.Fail(FindingCodes.WrongValues,
            $"largest difference {difference.max().item<float>():G4} at {Index(at, c.A.shape)} (yours {c.A.flatten()[at].item<float>():G4}, " +
            $"reference {c.E.flatten()[at].item<float>():G4})", c.Hints.Values);
    }

    /// <summary>max |a - b| ≤ 1e-5 + 1e-3 · max |b|: loose enough for another order of summation, tight enough for any real mistake.</summary>
    public static bool Close(Tensor a, Tensor b, double relative = 1e-3) =>
        Close(a, b, d => d.max().item<float>() <= 1e-5 + relative * (b.numel() == 0 ? 0 : b.abs().max().item<float>()));

    /// <summary>Same shape as <paramref name="b"/>, no NaN, and |a - b| that <paramref name="near"/> accepts.</summary>
    public static bool Close(Tensor a, Tensor b, Func<Tensor, bool> near)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var scope = NewDisposeScope();
        return !a.isnan().any().item<bool>() && near((a - b).abs());
    }

    /// <summary>Whether each input still equals its copy from before the learner's call; if not, records <paramref name="criterion"/> as failed.</summary>
    public static bool Untouched(CheckRecorder r, string criterion, string detail, params (Tensor Now, Tensor Before)[] inputs)
    {
        if (inputs.All(i => Close(i.Now, i.Before))) return true;
        r.Fail(criterion, FindingCodes.ModifiedInput, detail, "Operations ending in _ (mul_, relu_...) change a tensor in place; the caller still needs the original.");
        return false;
    }

    /// <summary>The factor h·w (or its inverse) of a tensor whose last two dimensions are positions, named.</summary>
    public static IReadOnlyList<NamedFactor> PositionFactors(Tensor positions, string detail, string hint, bool summed = false)
    {
        long count = positions.shape[^1] * positions.shape[^2];
        return [new(summed ? count : 1.0 / count, summed ? FindingCodes.GradientsSummed : FindingCodes.AveragedOverPositions, $"{detail} (h·w = {count})", hint)];
    }

    public static string Shape(Tensor t) => $"[{string.Join(", ", t.shape)}]";

    private static string Index(long flat, long[] shape)
    {
        var index = new long[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--) (index[d], flat) = (flat % shape[d], flat / shape[d]);
        return $"[{string.Join(", ", index)}]";
    }
}
