namespace CamNotebooks.Exercises;

/// <summary>One criterion a check looked at: met (✔) or not (✘), with what was seen and, when not met, a hint.</summary>
/// <param name="Criterion">What was checked, in a few words ("stores the layer's output").</param>
/// <param name="Passed">Whether the learner's code met it.</param>
/// <param name="Code">"ok" when met; otherwise a stable diagnosis code from <see cref="FindingCodes"/> (e.g. "not-detached").</param>
/// <param name="Detail">What the check saw (shapes, values, the exception message).</param>
/// <param name="Hint">When not met: the concept to revisit. It never spells out the answer.</param>
public sealed record CheckFinding(string Criterion, bool Passed, string Code, string Detail, string? Hint)
{
    /// <summary>The code of a met criterion.</summary>
    public const string OkCode = "ok";

    /// <inheritdoc />
    public override string ToString() =>
        $"{(Passed ? "✔" : "✘")} {Criterion}{(Detail.Length > 0 ? ": " + Detail : "")}{(Passed ? "" : $" [{Code}]")}" +
        (Hint is null ? "" : $"\n    hint: {Hint}");
}
