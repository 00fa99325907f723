using CamNotebooks.Learning;
using static TorchSharp.torch;

namespace CamNotebooks.Tests.Learning;

public class FeatureCacheTests
{
    private static string TempFile() => Path.Combine(Path.GetTempPath(), $"camnb-features-{Guid.NewGuid():N}.bin");

    [Fact]
    public void Features_round_trip_exactly()
    {
        string path = TempFile();
        var features = tensor(new float[] { 1.5f, -2, 0, 3.25f, 1e-7f, 42 }, [2, 3]);
        FeatureCache.Write(path, features);
        using var read = FeatureCache.TryRead(path, 2, 3);
        Assert.NotNull(read);
        Assert.Equal(features.data<float>().ToArray(), read!.data<float>().ToArray());
        File.Delete(path);
    }

    [Fact]
    public void A_damaged_or_differently_sized_file_is_ignored()
    {
        string path = TempFile();
        FeatureCache.Write(path, ones(2, 3));
        Assert.Null(FeatureCache.TryRead(path, 3, 3)); // another photo count
        var bytes = File.ReadAllBytes(path);
        bytes[5] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        Assert.Null(FeatureCache.TryRead(path, 2, 3)); // checksum mismatch
        Assert.Null(FeatureCache.TryRead(path + ".missing", 2, 3));
        File.Delete(path);
    }

    [Fact]
    public void The_key_changes_with_the_weights_the_featurizer_the_resize_and_every_photo()
    {
        var photos = Directory.GetFiles(Path.Combine(Notebooks.Repository.Root, "data", "pets", "images")).Order().Take(3).ToList();
        string key = FeatureCache.PathFor("abc", "f", "CenterCrop(224)", photos);
        Assert.Equal(key, FeatureCache.PathFor("abc", "f", "CenterCrop(224)", photos));
        Assert.NotEqual(key, FeatureCache.PathFor("abd", "f", "CenterCrop(224)", photos));
        Assert.NotEqual(key, FeatureCache.PathFor("abc", "g", "CenterCrop(224)", photos));
        Assert.NotEqual(key, FeatureCache.PathFor("abc", "f", "Squish(224)", photos));
        Assert.NotEqual(key, FeatureCache.PathFor("abc", "f", "CenterCrop(224)", photos.Take(2)));
        Assert.NotEqual(key, FeatureCache.PathFor("abc", "f", "CenterCrop(224)", photos.AsEnumerable().Reverse()));
    }
}
