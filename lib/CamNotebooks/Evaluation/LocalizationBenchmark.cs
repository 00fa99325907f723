using CamNotebooks.Learning;

namespace CamNotebooks.Evaluation;

/// <summary>Localization scores of one map source (a method at a layer, or a baseline), averaged over the photos.</summary>
/// <param name="Method">Method or baseline name.</param>
/// <param name="Layer">Target layer, or "-" for baselines.</param>
/// <param name="PointingBody">Share of photos whose map maximum lies inside the body outline.</param>
/// <param name="PointingHead">Share of photos whose map maximum lies inside the head box.</param>
/// <param name="EnergyBody">Mean share of the map's positive mass inside the body outline.</param>
/// <param name="EnergyHead">Mean share of the map's positive mass inside the head box.</param>
public sealed record LocalizationRow(string Method, string Layer, double PointingBody, double PointingHead, double EnergyBody, double EnergyHead);

/// <summary>The localization table: every method at every layer, the baselines, and the regions' mean area shares.</summary>
/// <param name="Rows">Methods first (by layer), then the random and centre-Gaussian baselines.</param>
/// <param name="Images">Number of photos.</param>
/// <param name="BodyArea">Mean share of the image the body outline covers (what a map that ignores the image scores).</param>
/// <param name="HeadArea">Mean share of the image the head box covers.</param>
public sealed record LocalizationReport(IReadOnlyList<LocalizationRow> Rows, int Images, double BodyArea, double HeadArea)
{
    /// <summary>Why the centre baseline is strong and the head box is the telling column; printed next to the table.</summary>
    public const string Note =
        "Pets are usually centred in their photos, so the centre-Gaussian blob already scores well on the body outline; " +
        "the head box (where cats and dogs differ most) is the harder, more telling test.";

    /// <summary>The table as aligned text, with the area baseline and the note.</summary>
    public string ToText()
    {
        var table = new TextTable("method", "layer", "pointing body", "pointing head", "energy body", "energy head");
        foreach (var row in Rows)
            table.Add(row.Method, row.Layer, TextTable.Number(row.PointingBody), TextTable.Number(row.PointingHead),
                TextTable.Number(row.EnergyBody), TextTable.Number(row.EnergyHead));
        table.Add("area (uniform map)", "-", TextTable.Number(BodyArea), TextTable.Number(HeadArea), TextTable.Number(BodyArea), TextTable.Number(HeadArea));
        return $"Localization on {Images} photos, true class, maps upsampled to 224x224:{Environment.NewLine}{table}" +
               $"Area baseline: the body outline covers {TextTable.Number(BodyArea)} of the image on average, the head box {TextTable.Number(HeadArea)}.{Environment.NewLine}" +
               $"Note: {Note}{Environment.NewLine}";
    }
}

/// <summary>Pointing game and energy share of every method at every layer, for the true class, with baselines.</summary>
public static class LocalizationBenchmark
{
    /// <summary>Name of the seeded random-map baseline.</summary>
    public const string RandomBaseline = "random map";

    /// <summary>Name of the centre-Gaussian baseline.</summary>
    public const string CentreBaseline = "centre Gaussian";

    /// <summary>Scores every (method, layer) pair of <see cref="ClassifierMaps.Pairs"/> and both baselines on <paramref name="set"/>.</summary>
    /// <param name="model">The trained classifier.</param>
    /// <param name="set">The photos.</param>
    /// <param name="layers">Layers to measure (default <see cref="ClassifierMaps.Layers"/>).</param>
    /// <param name="seed">Seed of the random baseline.</param>
    /// <param name="progress">Called with a line of text after each map source.</param>
    public static LocalizationReport Run(PetClassifier model, EvaluationSet set, IEnumerable<string>? layers = null, int seed = 0,
        Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(set);
        var rows = new List<LocalizationRow>();
        var pairs = ClassifierMaps.Pairs(layers);
        var maps = ClassifierMaps.ComputeEach(pairs, model, set.Inputs, set.Labels, upsampled: true);
        for (int p = 0; p < pairs.Count; p++)
        {
            rows.Add(Score(pairs[p].Method.Name, pairs[p].Layer, maps[p], set));
            progress?.Invoke($"{pairs[p].Method.Name} on {pairs[p].Layer} done");
        }
        int height = (int)set.Inputs.shape[2], width = (int)set.Inputs.shape[3];
        var random = new Random(seed);
        rows.Add(Score(RandomBaseline, "-", Enumerable.Range(0, set.Count).Select(_ => Upsample(BaselineMaps.Random(random), height, width)).ToArray(), set));
        var centre = BaselineMaps.CentreGaussian(height, width);
        rows.Add(Score(CentreBaseline, "-", Enumerable.Repeat(centre, set.Count).ToArray(), set));
        return new LocalizationReport(rows, set.Count, set.Outlines.Average(LocalizationMetrics.AreaShare), set.HeadBoxes.Average(LocalizationMetrics.AreaShare));
    }

    /// <summary>Averages the four scores over the photos for maps already at the input size.</summary>
    public static LocalizationRow Score(string method, string layer, IReadOnlyList<float[,]> maps, EvaluationSet set)
    {
        ArgumentNullException.ThrowIfNull(maps);
        ArgumentNullException.ThrowIfNull(set);
        if (maps.Count != set.Count) throw new ArgumentException($"{maps.Count} maps for {set.Count} photos.", nameof(maps));
        double Mean(Func<float[,], bool[,], double> metric, bool[][,] masks) => maps.Select((m, i) => metric(m, masks[i])).Average();
        return new LocalizationRow(method, layer,
            Mean(LocalizationMetrics.PointingHit, set.Outlines), Mean(LocalizationMetrics.PointingHit, set.HeadBoxes),
            Mean(LocalizationMetrics.EnergyShare, set.Outlines), Mean(LocalizationMetrics.EnergyShare, set.HeadBoxes));
    }

    internal static float[,] Upsample(float[,] map, int height, int width)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var flat = map.Cast<float>().ToArray();
        var values = TorchSharp.torch.tensor(flat, [map.GetLength(0), map.GetLength(1)]);
        return ClassifierMaps.ToArrays(Heatmaps.HeatmapMath.Upsample(values, height, width).unsqueeze(0))[0];
    }
}
