using CamNotebooks.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Tests.Model;

/// <summary>RGB 0..255 -> BGR minus mean image, and back.</summary>
[Collection(PretrainedModelCollection.Name)]
public sealed class ResNetPreprocessingTests(PretrainedModelFixture fixture)
{
    private ResNetPreprocessing Preprocessing => fixture.Model.Preprocessing;

    [Fact]
    public void Mean_image_is_bgr_with_the_documented_channel_averages()
    {
        Assert.Equal([1L, 3, 224, 224], Preprocessing.MeanImage.shape);
        using var averages = Preprocessing.MeanImage.mean([0, 2, 3]);
        var values = averages.data<float>().ToArray();
        // B, G, R: 103.06, 115.90, 123.15 (read from the file independently with Python).
        Assert.Equal(103.06, values[0], 1);
        Assert.Equal(115.90, values[1], 1);
        Assert.Equal(123.15, values[2], 1);
    }

    [Fact]
    public void Normalize_swaps_to_bgr_and_subtracts_the_mean_pixel_by_pixel()
    {
        using var scope = NewDisposeScope();
        // A constant image R=10, G=20, B=30.
        var rgb = stack([full(224, 224, 10f), full(224, 224, 20f), full(224, 224, 30f)]);
        var normalized = Preprocessing.Normalize(rgb);
        Assert.Equal([3L, 224, 224], normalized.shape);
        var mean = Preprocessing.MeanImage;
        foreach (var (row, column) in new[] { (0, 0), (5, 7), (223, 100) })
        {
            Assert.Equal(30f - mean[0, 0, row, column].item<float>(), normalized[0, row, column].item<float>());
            Assert.Equal(20f - mean[0, 1, row, column].item<float>(), normalized[1, row, column].item<float>());
            Assert.Equal(10f - mean[0, 2, row, column].item<float>(), normalized[2, row, column].item<float>());
        }
    }

    [Fact]
    public void Decode_inverts_normalize_for_single_images_and_batches()
    {
        using var scope = NewDisposeScope();
        var batch = TestPhotos.LoadSquareBatch();
        var decoded = Preprocessing.Decode(Preprocessing.Normalize(batch));
        Assert.Equal(batch.shape, decoded.shape);
        Assert.True(decoded.allclose(batch, rtol: 0, atol: 1e-4));

        var single = TestPhotos.Load(TestPhotos.Square[0]);
        Assert.True(Preprocessing.Decode(Preprocessing.Normalize(single)).allclose(single, rtol: 0, atol: 1e-4));
        // Byte images are accepted and come back as float.
        var bytes = single.to(ScalarType.Byte);
        Assert.Equal(ScalarType.Float32, Preprocessing.Normalize(bytes).dtype);
    }

    [Fact]
    public void Other_sizes_use_the_mean_image_resized_bilinearly()
    {
        using var scope = NewDisposeScope();
        var mean = Preprocessing.MeanImageFor(256, 320);
        Assert.Equal([1L, 3, 256, 320], mean.shape);
        // Resizing keeps the channel averages (within the interpolation error).
        var resizedAverages = mean.mean([0, 2, 3]).data<float>().ToArray();
        var originalAverages = Preprocessing.MeanImage.mean([0, 2, 3]).data<float>().ToArray();
        for (var c = 0; c < 3; c++) Assert.Equal(originalAverages[c], resizedAverages[c], 0.5f);
        Assert.True(Preprocessing.MeanImageFor(224, 224).eq(Preprocessing.MeanImage).all().item<bool>());

        var rgb = full(3, 256, 320, 100f);
        var normalized = Preprocessing.Normalize(rgb);
        Assert.True(normalized.allclose(100f - mean[0], rtol: 0, atol: 1e-4));
    }

    [Fact]
    public void Wrong_shapes_are_refused_with_the_shape_in_the_message()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => Preprocessing.Normalize(zeros(224, 224, 3)));
        Assert.Contains("[224, 224, 3]", error.Message);
        Assert.Contains("permute", error.Message);
        Assert.Throws<ArgumentException>(() => Preprocessing.Decode(zeros(2, 4, 224, 224)));
    }
}
