using System.Globalization;
using CamNotebooks.Learning;

namespace CamNotebooks.Evaluation;

/// <summary>One method on the scoreboard of chapter 07.</summary>
/// <param name="Method">Method name.</param>
/// <param name="Layer">Target layer, or what the map is taken from.</param>
/// <param name="CostMs">Milliseconds per photo, measured in the same run as the others.</param>
/// <param name="Images">Photos the row was scored on (the costly methods run on fewer).</param>
/// <param name="PointingHead">Share of photos whose map peaks inside the head box.</param>
/// <param name="DeletionAuc">Mean area under the deletion curve (lower = more faithful).</param>
/// <param name="PassesRandomization">The sanity check's verdict, or null where it was not run.</param>
public sealed record ScoreboardRow(string Method, string Layer, double CostMs, int Images, double PointingHead, double DeletionAuc,
    bool? PassesRandomization);

/// <summary>Method × (cost, head-box pointing game, deletion AUC, passes the randomization check?).</summary>
/// <param name="Rows">One row per method, in the order given.</param>
public sealed record Scoreboard(IReadOnlyList<ScoreboardRow> Rows)
{
    /// <summary>What a map source brings to the scoreboard: its maps at the input size for the photos of a set, and its cost.</summary>
    /// <param name="Method">Method name (matched with the sanity check's rows by name and layer).</param>
    /// <param name="Layer">Target layer, or what the map is taken from.</param>
    /// <param name="Set">The photos the maps are for.</param>
    /// <param name="Maps">One map per photo of <paramref name="Set"/>, upsampled to the input size.</param>
    /// <param name="CostMs">Milliseconds per photo.</param>
    public sealed record Entry(string Method, string Layer, EvaluationSet Set, IReadOnlyList<float[,]> Maps, double CostMs);

    /// <summary>Scores every entry with <see cref="LocalizationBenchmark.Score"/> and <see cref="FaithfulnessBenchmark.Score"/>, and
    /// reads each one's verdict from <paramref name="sanity"/> (null where the check has no row for it).</summary>
    public static Scoreboard Build(PetClassifier model, IEnumerable<Entry> entries, SanityCheckReport? sanity, int steps = 5)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(entries);
        var rows = entries.Select(e => new ScoreboardRow(e.Method, e.Layer, e.CostMs, e.Set.Count,
            LocalizationBenchmark.Score(e.Method, e.Layer, e.Maps, e.Set).PointingHead,
            FaithfulnessBenchmark.DeletionAuc(model, e.Maps, e.Set, steps),
            sanity?.Rows.FirstOrDefault(r => r.Method == e.Method && r.Layer == e.Layer)?.Passes)).ToList();
        return new Scoreboard(rows);
    }

    /// <summary>The table's cells as text: one row per method (a notebook displays it as an HTML table, see <c>Display.Formatters</c>).</summary>
    public TextTable ToTable()
    {
        var table = new TextTable("method", "layer", "ms / photo", "photos", "pointing head", "deletion AUC", "randomization");
        foreach (var r in Rows)
            table.Add(r.Method, r.Layer, TextTable.Number(r.CostMs, "0.0"), r.Images.ToString(CultureInfo.InvariantCulture), TextTable.Number(r.PointingHead),
                TextTable.Number(r.DeletionAuc), r.PassesRandomization switch { true => "pass", false => "FAIL", null => "not run" });
        return table;
    }

    /// <summary>The table as aligned text.</summary>
    public string ToText() => ToTable().ToString();
}
