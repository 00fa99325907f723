using CamNotebooks.Model.Inference;
using static TorchSharp.torch;

namespace CamNotebooks.Tests.Model;

/// <summary>The channels-last copy keeps shape, values and gradients, and only changes the strides.</summary>
public sealed class ChannelsLastTests
{
    [Fact]
    public void The_copy_has_channels_last_strides_and_the_same_values()
    {
        using var scope = NewDisposeScope();
        var plain = arange(2 * 3 * 4 * 5, ScalarType.Float32).reshape(2, 3, 4, 5);
        Assert.False(ChannelsLast.IsChannelsLast(plain));
        var copy = ChannelsLast.From(plain);
        Assert.True(ChannelsLast.IsChannelsLast(copy));
        Assert.Equal([60L, 1, 15, 3], copy.stride());
        Assert.Equal(plain.shape, copy.shape);
        Assert.True(copy.eq(plain).all().item<bool>());
        // Reading the values element by element follows the strides, so arrays come out in the usual order.
        Assert.Equal(plain.data<float>().ToArray(), copy.data<float>().ToArray());
    }

    [Fact]
    public void A_tensor_already_channels_last_is_not_copied_again()
    {
        using var scope = NewDisposeScope();
        var once = ChannelsLast.From(zeros(1, 8, 3, 3));
        var twice = ChannelsLast.From(once);
        twice.add_(1); // same memory: the change shows through the first tensor
        Assert.True(once.eq(1).all().item<bool>());
    }

    [Fact]
    public void Gradients_flow_through_the_copy()
    {
        using var scope = NewDisposeScope();
        var leaf = randn(1, 2, 3, 3).requires_grad_(true);
        var grad = autograd.grad([(ChannelsLast.From(leaf) * 3).sum()], [leaf])[0];
        Assert.True(grad.eq(3).all().item<bool>());
    }

    [Fact]
    public void Tensors_that_are_not_image_batches_are_refused()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => ChannelsLast.From(zeros(3, 4, 5)));
        Assert.Contains("[N, C, H, W]", error.Message);
        Assert.False(ChannelsLast.IsChannelsLast(zeros(3, 4, 5)));
    }
}
