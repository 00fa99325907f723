using CamNotebooks.Model;
using static TorchSharp.torch;

namespace CamNotebooks.Tests.Model;

/// <summary>
/// A layer padding symmetrically, fed the crop that <see cref="OnnxPadding.CropForSymmetricLayer"/> gives, computes exactly
/// what the explicitly padded layer computes; and the crop is refused where it cannot.
/// </summary>
public sealed class OnnxPaddingTests
{
    private static readonly OnnxPadding Strided = new(1, 1, 0, 0);

    [Theory]
    [InlineData(8, 8)]
    [InlineData(9, 9)]
    [InlineData(8, 11)]
    [InlineData(113, 145)]
    [InlineData(4, 5)]
    public void Strided_convolution_on_the_crop_equals_the_explicitly_padded_one(int height, int width)
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var input = randn(2, 4, height, width);
        var weight = randn(6, 4, 3, 3);
        var expected = nn.functional.conv2d(Strided.Apply(input), weight, strides: [2, 2]);
        var actual = nn.functional.conv2d(Strided.CropForSymmetricLayer(input, 3, 2), weight, strides: [2, 2], padding: [1, 1]);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(actual.allclose(expected, rtol: 0, atol: 1e-5), $"max |diff| {(actual - expected).abs().max().item<float>()}");
    }

    [Theory]
    [InlineData(112, 112)]
    [InlineData(113, 145)]
    [InlineData(7, 6)]
    public void Max_pooling_on_the_crop_equals_pooling_the_minus_infinity_padded_input(int height, int width)
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        // Negative values everywhere: a padding with zeros instead of -inf would win the maximum at the borders.
        var input = -rand(1, 3, height, width) - 1;
        var expected = nn.functional.max_pool2d(Strided.Apply(input, double.NegativeInfinity), [3, 3], [2, 2]);
        var actual = nn.functional.max_pool2d(Strided.CropForSymmetricLayer(input, 3, 2), [3, 3], [2, 2], [1, 1]);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(actual.eq(expected).all().item<bool>());
    }

    [Fact]
    public void Even_sizes_are_not_cropped_and_odd_sizes_lose_only_the_last_row_or_column()
    {
        using var scope = NewDisposeScope();
        Assert.Equal([1L, 1, 112, 56], Strided.CropForSymmetricLayer(zeros(1, 1, 112, 56), 3, 2).shape);
        Assert.Equal([1L, 1, 112, 56], Strided.CropForSymmetricLayer(zeros(1, 1, 113, 57), 3, 2).shape);
    }

    [Fact]
    public void The_stem_padding_is_reproduced_at_even_sizes_and_refused_at_odd_ones()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var stem = new OnnxPadding(3, 3, 2, 2);
        var weight = randn(5, 3, 7, 7);
        var even = randn(1, 3, 224, 256);
        var expected = nn.functional.conv2d(stem.Apply(even), weight, strides: [2, 2]);
        var actual = nn.functional.conv2d(stem.CropForSymmetricLayer(even, 7, 2), weight, strides: [2, 2], padding: [3, 3]);
        Assert.True(actual.allclose(expected, rtol: 0, atol: 1e-4));

        // At 227 rows the graph's last window reads the last image row and one padding row; no crop keeps that.
        var error = Assert.Throws<InvalidOperationException>(() => stem.CropForSymmetricLayer(zeros(1, 3, 227, 224), 7, 2));
        Assert.Contains("pad explicitly", error.Message);
    }
}
