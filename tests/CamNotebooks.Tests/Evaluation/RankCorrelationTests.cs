using CamNotebooks.Evaluation;

namespace CamNotebooks.Tests.Evaluation;

public class RankCorrelationTests
{
    [Fact]
    public void A_map_correlates_one_with_itself_and_minus_one_with_its_reverse()
    {
        float[] values = [0.3f, 2f, -1f, 5f, 4f];
        Assert.Equal(1.0, RankCorrelation.Spearman(values, values), 12);
        Assert.Equal(-1.0, RankCorrelation.Spearman(values, values.Select(v => -v).ToArray()), 12);
    }

    [Fact]
    public void Only_the_order_matters_not_the_scale()
    {
        float[] a = [1, 2, 3, 4];
        float[] b = [10, 200, 3000, 40000];
        Assert.Equal(1.0, RankCorrelation.Spearman(a, b), 12);
    }

    [Fact]
    public void Ties_share_their_average_rank()
    {
        Assert.Equal([1.5, 1.5, 3, 4], RankCorrelation.Ranks([7f, 7f, 8f, 9f]));
        // a = [1, 2, 3, 4] against b = [0, 0, 1, 1]: ranks of b are [1.5, 1.5, 3.5, 3.5].
        // Centred: a -1.5 -0.5 0.5 1.5, b -1 -1 1 1; covariance 4, variances 5 and 4: rho = 4 / sqrt(20).
        Assert.Equal(4 / Math.Sqrt(20), RankCorrelation.Spearman([1f, 2, 3, 4], [0f, 0, 1, 1]), 12);
    }

    [Fact]
    public void A_constant_map_has_no_order_to_share()
    {
        Assert.Equal(0.0, RankCorrelation.Spearman([1f, 2, 3], [0f, 0, 0]));
    }

    [Fact]
    public void Two_dimensional_maps_compare_pixel_by_pixel()
    {
        var a = new float[,] { { 1, 2 }, { 3, 4 } };
        var b = new float[,] { { 4, 3 }, { 2, 1 } };
        Assert.Equal(-1.0, RankCorrelation.Spearman(a, b), 12);
        Assert.Throws<ArgumentException>(() => RankCorrelation.Spearman(a, new float[3, 3]));
        Assert.Throws<ArgumentException>(() => RankCorrelation.Spearman([1f], [1f]));
    }
}
