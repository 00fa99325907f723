using System.Collections;
using Microsoft.DotNet.Interactive.Events;

namespace CamNotebooks.Runner;

/// <summary>
/// What an exercise check displayed: the library's <c>CamNotebooks.Exercises.CheckResult</c>, read by name (the runner does
/// not reference the library, so it tests what learners load).
/// </summary>
/// <param name="Notebook">The notebook's file name.</param>
/// <param name="CellNumber">1-based number of the cell that displayed it.</param>
/// <param name="Exercise">The exercise's name ("Exercise 1: a forward hook").</param>
/// <param name="Passed">Every criterion met.</param>
/// <param name="NotImplemented">The answer cell still throws NotImplementedException.</param>
/// <param name="Met">How many criteria were met.</param>
/// <param name="Total">How many criteria were looked at.</param>
/// <param name="Unmet">The ✘ rows: criterion, detail, code and hint, one text each.</param>
public sealed record CheckVerdict(string Notebook, int CellNumber, string Exercise, bool Passed, bool NotImplemented, int Met, int Total,
    IReadOnlyList<string> Unmet)
{
    /// <summary>The full name of the type the checks return.</summary>
    public const string CheckResultType = "CamNotebooks.Exercises.CheckResult";

    /// <summary>One line: the exercise and ✔ n of m criteria, ✘ n of m, or not yet implemented.</summary>
    public string Summary => Passed ? $"{Exercise}: ✔ {Met} of {Total} criteria met"
        : NotImplemented ? $"{Exercise}: … not yet implemented (replace the NotImplementedException with your code)"
        : $"{Exercise}: ✘ {Met} of {Total} criteria met";

    /// <summary>The lines the runner prints: the summary, then each ✘ row indented.</summary>
    public IEnumerable<string> Lines()
    {
        yield return $"check (cell {CellNumber}): {Summary}";
        if (NotImplemented) yield break;
        foreach (string row in Unmet)
            foreach (string line in row.Split('\n'))
                yield return "  " + line;
    }

    /// <summary>The verdicts of the check results among a cell's events (a cell may display several).</summary>
    internal static List<CheckVerdict> From(IEnumerable<KernelEvent> events, string notebook, int cellNumber)
    {
        var verdicts = new List<CheckVerdict>();
        foreach (var e in events)
        {
            object? value = e switch
            {
                ReturnValueProduced produced => produced.Value,
                DisplayedValueProduced displayed => displayed.Value,
                _ => null,
            };
            if (value is not null && Read(value, notebook, cellNumber) is { } verdict) verdicts.Add(verdict);
        }
        return verdicts;
    }

    /// <summary>The verdict of <paramref name="value"/> when it is a check result; null for anything else.</summary>
    internal static CheckVerdict? Read(object value, string notebook, int cellNumber)
    {
        var type = value.GetType();
        if (type.FullName != CheckResultType) return null;
        T Get<T>(object target, string property) =>
            target.GetType().GetProperty(property)?.GetValue(target) is T read
                ? read
                : throw new InvalidOperationException($"{target.GetType().FullName}.{property} is missing or not a {typeof(T).Name}: the runner and the library disagree.");
        var findings = Get<IEnumerable>(value, "Findings").Cast<object>().ToList();
        var unmet = findings.Where(f => !Get<bool>(f, "Passed")).Select(f => f.ToString() ?? "").ToList();
        return new CheckVerdict(notebook, cellNumber, Get<string>(value, "Exercise"), Get<bool>(value, "Passed"), Get<bool>(value, "NotImplemented"),
            findings.Count - unmet.Count, findings.Count, unmet);
    }
}
