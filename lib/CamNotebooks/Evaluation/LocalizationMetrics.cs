namespace CamNotebooks.Evaluation;

/// <summary>
/// Does a heatmap point at the animal? The two scores of the CAM literature, for one map and one region mask of the same
/// size (both [row, column], e.g. 224 x 224 once the map is upsampled to the input):
/// the pointing game (Zhang et al. 2016) and the energy share (Wang et al. 2020, "Score-CAM", energy-based pointing game).
/// </summary>
public static class LocalizationMetrics
{
    /// <summary>The region's share of the image: what a map that ignores the image scores on average.</summary>
    public static double AreaShare(bool[,] mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        long inside = 0;
        foreach (var cell in mask) if (cell) inside++;
        return (double)inside / mask.Length;
    }

    /// <summary>
    /// Pointing game: 1 when the map's maximum lies inside the region, 0 when outside. When several pixels share the
    /// maximum (a flat map, a plateau after upsampling), the share of them that lies inside, so a constant map scores
    /// exactly the region's <see cref="AreaShare"/> instead of whatever pixel happens to come first.
    /// </summary>
    /// <exception cref="ArgumentException">Sizes differ, or the map holds NaN.</exception>
    public static double PointingHit(float[,] map, bool[,] mask)
    {
        RequireSameSize(map, mask);
        float max = float.NegativeInfinity;
        foreach (var value in map) max = Math.Max(max, value);
        long atMax = 0, inside = 0;
        for (int row = 0; row < map.GetLength(0); row++)
        for (int column = 0; column < map.GetLength(1); column++)
            if (map[row, column] == max)
            {
                atMax++;
                if (mask[row, column]) inside++;
            }
        return (double)inside / atMax;
    }

    /// <summary>
    /// Energy share: the map's positive part (ReLU, so only evidence for the class counts) normalised to unit mass, and the
    /// share of that mass inside the region. A map with no positive value says nothing and is treated as uniform: it scores
    /// the region's <see cref="AreaShare"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Sizes differ, or the map holds NaN.</exception>
    public static double EnergyShare(float[,] map, bool[,] mask)
    {
        RequireSameSize(map, mask);
        double total = 0, inside = 0;
        for (int row = 0; row < map.GetLength(0); row++)
        for (int column = 0; column < map.GetLength(1); column++)
        {
            double positive = Math.Max(0, map[row, column]);
            total += positive;
            if (mask[row, column]) inside += positive;
        }
        return total > 0 ? inside / total : AreaShare(mask);
    }

    private static void RequireSameSize(float[,] map, bool[,] mask)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(mask);
        if (map.GetLength(0) != mask.GetLength(0) || map.GetLength(1) != mask.GetLength(1))
            throw new ArgumentException(
                $"The map is {map.GetLength(0)}x{map.GetLength(1)} but the mask is {mask.GetLength(0)}x{mask.GetLength(1)}. " +
                "Upsample the map to the mask's size (HeatmapMath.Upsample) or rasterise the region at the map's size (ToMask).");
        if (map.Length == 0) throw new ArgumentException("The map is empty.");
        foreach (var value in map)
            if (float.IsNaN(value)) throw new ArgumentException("The map contains NaN; check the method that produced it.");
    }
}
