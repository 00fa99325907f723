namespace CamNotebooks.Evaluation;

/// <summary>Spearman's rank correlation: how similarly two maps order their pixels, whatever their scales.</summary>
public static class RankCorrelation
{
    /// <summary>
    /// Pearson correlation of the ranks of <paramref name="a"/> and <paramref name="b"/>, tied values sharing their average
    /// rank. 1: same order, -1: reversed, about 0: unrelated. When either input is constant (e.g. a Grad-CAM map that
    /// ReLU zeroed everywhere) it has no order to share and the result is 0.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ, fewer than two values, or NaN.</exception>
    public static double Spearman(IReadOnlyList<float> a, IReadOnlyList<float> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count) throw new ArgumentException($"Spearman needs two lists of equal length, got {a.Count} and {b.Count}.");
        if (a.Count < 2) throw new ArgumentException("Spearman needs at least two values.");
        var rankA = Ranks(a);
        var rankB = Ranks(b);
        double meanRank = (a.Count + 1) / 2.0, covariance = 0, varianceA = 0, varianceB = 0;
        for (int i = 0; i < a.Count; i++)
        {
            double da = rankA[i] - meanRank, db = rankB[i] - meanRank;
            covariance += da * db;
            varianceA += da * da;
            varianceB += db * db;
        }
        return varianceA == 0 || varianceB == 0 ? 0 : covariance / Math.Sqrt(varianceA * varianceB);
    }

    /// <summary>Spearman of two maps of the same size, compared pixel by pixel.</summary>
    public static double Spearman(float[,] a, float[,] b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.GetLength(0) != b.GetLength(0) || a.GetLength(1) != b.GetLength(1))
            throw new ArgumentException($"Maps of different sizes: {a.GetLength(0)}x{a.GetLength(1)} and {b.GetLength(0)}x{b.GetLength(1)}.");
        return Spearman(a.Cast<float>().ToArray(), b.Cast<float>().ToArray());
    }

    /// <summary>1-based ranks, ties get the average of the ranks they span.</summary>
    internal static double[] Ranks(IReadOnlyList<float> values)
    {
        foreach (var value in values)
            if (float.IsNaN(value)) throw new ArgumentException("Cannot rank NaN values.");
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            double average = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = average;
            start = end + 1;
        }
        return ranks;
    }
}
