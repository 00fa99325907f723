using CamNotebooks.Evaluation;

namespace CamNotebooks.Tests.Evaluation;

public class LocalizationMetricsTests
{
    // A 4x4 image whose region is the 2x3 block of rows 1..2, columns 0..2: 6 of 16 cells.
    private static readonly bool[,] Region = Mask(4, 4, (r, c) => r is 1 or 2 && c <= 2);

    private static bool[,] Mask(int h, int w, Func<int, int, bool> inside)
    {
        var mask = new bool[h, w];
        for (int r = 0; r < h; r++) for (int c = 0; c < w; c++) mask[r, c] = inside(r, c);
        return mask;
    }

    private static float[,] Map(int h, int w, Func<int, int, float> value)
    {
        var map = new float[h, w];
        for (int r = 0; r < h; r++) for (int c = 0; c < w; c++) map[r, c] = value(r, c);
        return map;
    }

    [Fact]
    public void Area_share_counts_the_cells_inside() => Assert.Equal(6.0 / 16, LocalizationMetrics.AreaShare(Region));

    [Fact]
    public void A_map_that_is_exactly_the_region_scores_one_on_pointing_and_energy()
    {
        var map = Map(4, 4, (r, c) => Region[r, c] ? 1 : 0);
        Assert.Equal(1.0, LocalizationMetrics.PointingHit(map, Region));
        Assert.Equal(1.0, LocalizationMetrics.EnergyShare(map, Region));
    }

    [Fact]
    public void A_uniform_map_scores_the_area_baseline_on_both()
    {
        var map = Map(4, 4, (_, _) => 0.7f);
        Assert.Equal(6.0 / 16, LocalizationMetrics.PointingHit(map, Region), 12);
        Assert.Equal(6.0 / 16, LocalizationMetrics.EnergyShare(map, Region), 12);
    }

    [Fact]
    public void A_map_with_no_positive_value_counts_as_uniform_for_energy()
    {
        Assert.Equal(6.0 / 16, LocalizationMetrics.EnergyShare(Map(4, 4, (_, _) => 0), Region), 12);
        Assert.Equal(6.0 / 16, LocalizationMetrics.EnergyShare(Map(4, 4, (r, c) => -1 - r - c), Region), 12);
    }

    [Fact]
    public void Pointing_is_zero_when_the_maximum_lies_outside()
    {
        var map = Map(4, 4, (r, c) => r == 3 && c == 3 ? 5 : 1);
        Assert.Equal(0.0, LocalizationMetrics.PointingHit(map, Region));
    }

    [Fact]
    public void Tied_maxima_count_by_the_share_inside()
    {
        // Two cells share the maximum: (1, 0) inside, (0, 3) outside.
        var map = Map(4, 4, (r, c) => (r, c) is (1, 0) or (0, 3) ? 2 : 0);
        Assert.Equal(0.5, LocalizationMetrics.PointingHit(map, Region));
    }

    [Fact]
    public void Energy_is_the_share_of_positive_mass_inside_and_ignores_negative_values()
    {
        // Inside: 3 at (1, 1); outside: 1 at (0, 0) and -10 at (3, 3) (clipped by ReLU). Share = 3 / (3 + 1).
        var map = Map(4, 4, (r, c) => (r, c) switch { (1, 1) => 3, (0, 0) => 1, (3, 3) => -10, _ => 0 });
        Assert.Equal(0.75, LocalizationMetrics.EnergyShare(map, Region), 12);
        // Scaling the map does not change either score.
        var scaled = Map(4, 4, (r, c) => 7 * map[r, c]);
        Assert.Equal(0.75, LocalizationMetrics.EnergyShare(scaled, Region), 12);
        Assert.Equal(1.0, LocalizationMetrics.PointingHit(scaled, Region));
    }

    [Fact]
    public void Size_mismatch_and_NaN_are_refused_with_a_hint()
    {
        var error = Assert.Throws<ArgumentException>(() => LocalizationMetrics.PointingHit(new float[7, 7], Region));
        Assert.Contains("Upsample", error.Message);
        var nan = Map(4, 4, (_, _) => float.NaN);
        Assert.Throws<ArgumentException>(() => LocalizationMetrics.EnergyShare(nan, Region));
    }
}
