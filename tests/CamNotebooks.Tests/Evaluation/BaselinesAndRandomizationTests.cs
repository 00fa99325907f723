using CamNotebooks.Evaluation;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Tests.Evaluation;

public class BaselinesAndRandomizationTests
{
    [Fact]
    public void The_centre_Gaussian_peaks_at_the_centre_and_is_symmetric()
    {
        var map = BaselineMaps.CentreGaussian(4, 6, sigmaFraction: 0.25);
        // Cell (1, 2) has its centre at (2.5, 1.5): 0.5 from the image centre (3, 2) in x and y; sigma 1.5 in x, 1 in y.
        Assert.Equal(Math.Exp(-((0.5 / 1.5) * (0.5 / 1.5) + 0.5 * 0.5) / 2), map[1, 2], 6);
        Assert.Equal(map[1, 2], map[2, 3]);
        Assert.Equal(map[0, 0], map[3, 5]);
        Assert.True(map[1, 2] > map[0, 0]);
    }

    [Fact]
    public void Random_maps_are_reproducible_from_the_seed()
    {
        var first = BaselineMaps.Random(new Random(3));
        Assert.Equal(first, BaselineMaps.Random(new Random(3)));
        Assert.NotEqual(first, BaselineMaps.Random(new Random(4)));
        Assert.Equal(49, first.Length);
    }

    [Fact]
    public void Reinitialize_resets_batch_norm_and_draws_He_normal_weights_from_the_seed()
    {
        var conv = Conv2d(64, 128, 3, bias: false);
        var norm = BatchNorm2d(128);
        var linear = Linear(512, 2);
        using var model = Sequential(("conv", conv), ("norm", norm), ("pool", AdaptiveAvgPool2d(1)), ("flat", Flatten()), ("linear", Linear(128, 512)), ("head", linear));
        using (no_grad())
        {
            norm.weight!.fill_(3);
            norm.bias!.fill_(2);
            norm.running_mean!.fill_(5);
            norm.running_var!.fill_(7);
        }
        WeightRandomization.Reinitialize(model, seed: 1);
        Assert.True(norm.weight!.eq(1).all().item<bool>());
        Assert.True(norm.bias!.eq(0).all().item<bool>());
        Assert.True(norm.running_mean!.eq(0).all().item<bool>());
        Assert.True(norm.running_var!.eq(1).all().item<bool>());
        Assert.True(linear.bias!.eq(0).all().item<bool>());
        // He normal: std sqrt(2 / fan-in), fan-in 64 * 3 * 3 = 576 -> 0.0589 (73,728 draws, so within 2%).
        Assert.Equal(Math.Sqrt(2.0 / 576), conv.weight!.std().item<float>(), 0.0589 * 0.02);
        var drawn = conv.weight!.clone();
        WeightRandomization.Reinitialize(model, seed: 1);
        Assert.True(conv.weight!.eq(drawn).all().item<bool>());
        WeightRandomization.Reinitialize(model, seed: 2);
        Assert.False(conv.weight!.eq(drawn).all().item<bool>());
    }

    [Fact]
    public void Text_tables_align_columns_and_refuse_ragged_rows()
    {
        var table = new TextTable("name", "value").Add("a", "1.000").Add("longer", "22.5");
        Assert.Equal($"name    value{Environment.NewLine}a       1.000{Environment.NewLine}longer   22.5{Environment.NewLine}", table.ToString());
        Assert.Throws<ArgumentException>(() => table.Add("only one"));
        Assert.Equal("0.500", TextTable.Number(0.5));
    }
}
