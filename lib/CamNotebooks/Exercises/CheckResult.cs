using System.Net;
using System.Text;

namespace CamNotebooks.Exercises;

/// <summary>
/// What a check found: one <see cref="CheckFinding"/> per criterion (met, or not with a stable code and a hint),
/// <see cref="Passed"/> when all are met. A notebook displays it as a small table; as text it is a ✔/✘ list.
/// </summary>
public sealed class CheckResult
{
    internal CheckResult(string exercise, IReadOnlyList<CheckFinding> findings, IReadOnlyList<string>? plan = null)
    {
        Exercise = exercise;
        Findings = findings;
        Plan = plan ?? [];
    }

    /// <summary>What the check tests, one line per criterion: shown while the exercise is not yet implemented.</summary>
    public IReadOnlyList<string> Plan { get; }

    /// <summary>The exercise checked, e.g. "Exercise 1: a forward hook".</summary>
    public string Exercise { get; }

    /// <summary>Every criterion looked at, in order. A check stops at the first failure that makes later criteria meaningless.</summary>
    public IReadOnlyList<CheckFinding> Findings { get; }

    /// <summary>True when there is at least one finding and all are met.</summary>
    public bool Passed => Findings.Count > 0 && Findings.All(f => f.Passed);

    /// <summary>The criteria not met.</summary>
    public IReadOnlyList<CheckFinding> Failures => Findings.Where(f => !f.Passed).ToList();

    /// <summary>The diagnosis codes of the criteria not met (see <see cref="FindingCodes"/>).</summary>
    public IReadOnlyList<string> Codes => Failures.Select(f => f.Code).ToList();

    /// <summary>Whether the learner has not started the exercise yet (the starting cell still throws NotImplementedException).</summary>
    public bool NotImplemented => Codes.Contains(FindingCodes.NotImplemented);

    /// <summary>One line: passed, not yet implemented, or how many criteria failed.</summary>
    public string Verdict => Passed ? "✔ PASSED"
        : NotImplemented ? "… not yet implemented"
        : $"✘ {Failures.Count} of {Findings.Count} criteria not met";

    /// <inheritdoc />
    public override string ToString()
    {
        var findings = Findings.Select(f => "\n  " + f.ToString().Replace("\n", "\n  "));
        string[] plan = NotImplemented && Plan.Count > 0
            ? ["\n  What this check will test:", .. Plan.Select(line => $"\n    • {line}")] : [];
        return $"{Exercise}: {Verdict}{string.Concat(findings)}{string.Concat(plan)}";
    }

    /// <summary>An HTML table: one row per criterion, green ✔ or red ✘, with the detail and the hint.</summary>
    public string ToHtml()
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        string colour = Passed ? "#1a7f37" : NotImplemented ? "#6e7781" : "#cf222e";
        var html = new StringBuilder(
            $"<div style=\"font-family:sans-serif;border-left:4px solid {colour};padding:4px 10px;margin:4px 0\">" +
            $"<div style=\"font-weight:bold\">{E(Exercise)}: <span style=\"color:{colour}\">{E(Verdict)}</span></div>" +
            "<table style=\"border-collapse:collapse;margin-top:4px\">");
        foreach (var f in Findings)
        {
            // Not yet implemented is a state, not a mistake: its mark is grey like the verdict.
            string mark = f.Passed ? "<span style=\"color:#1a7f37\">✔</span>"
                : f.Code == FindingCodes.NotImplemented ? "<span style=\"color:#6e7781\">✘</span>"
                : "<span style=\"color:#cf222e\">✘</span>";
            html.Append($"<tr><td style=\"vertical-align:top;padding:2px 6px\">{mark}</td><td style=\"padding:2px 6px;text-align:left\">" +
                        $"<b>{E(f.Criterion)}</b>{(f.Detail.Length > 0 ? ": " + E(f.Detail) : "")}");
            if (!f.Passed) html.Append($" <code style=\"color:#6e7781\">{E(f.Code)}</code>");
            if (f.Hint is not null) html.Append($"<br/><i>hint: {E(f.Hint)}</i>");
            html.Append("</td></tr>");
        }
        html.Append("</table>");
        if (NotImplemented && Plan.Count > 0)
            html.Append("<div style=\"margin-top:4px\">What this check will test:</div><ul style=\"margin:2px 0 4px 0\">")
                .Append(string.Concat(Plan.Select(line => $"<li>{E(line)}</li>"))).Append("</ul>");
        return html.Append("</div>").ToString();
    }
}

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
