using CamNotebooks.Model;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Tests.Model;

/// <summary>Converted weights are cached, reused, checked, and damaged inputs give clear errors.</summary>
[Collection(PretrainedModelCollection.Name)]
public sealed class WeightCacheTests(PretrainedModelFixture fixture) : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("camnotebooks-cache-test-").FullName;

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    [Fact]
    public void First_load_converts_and_second_load_takes_the_cache_with_identical_weights()
    {
        Assert.False(fixture.Model.Report.FromCache);
        Assert.True(File.Exists(fixture.Model.Report.CachePath));
        Assert.Equal(WeightCache.FileFor(fixture.CacheFolder, fixture.Model.Report.SourceSha256), fixture.Model.Report.CachePath);
        Assert.Null(fixture.Model.Report.CacheNote);

        using var again = PretrainedResNet.Load(cacheDirectory: fixture.CacheFolder);
        Assert.True(again.Report.FromCache);
        AssertSameWeights(fixture.Model.Body, again.Body);
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("empty")]
    public void Damaged_cache_file_is_detected_and_converted_again(string damage)
    {
        var cacheFile = WeightCache.FileFor(scratch, fixture.Model.Report.SourceSha256);
        File.Copy(fixture.Model.Report.CachePath, cacheFile);
        var bytes = File.ReadAllBytes(cacheFile);
        switch (damage)
        {
            case "flip": bytes[bytes.Length / 2] ^= 0x40; break;
            case "truncate": bytes = bytes[..(bytes.Length / 3)]; break;
            case "empty": bytes = []; break;
        }
        File.WriteAllBytes(cacheFile, bytes);

        using var reloaded = PretrainedResNet.Load(cacheDirectory: scratch);
        Assert.False(reloaded.Report.FromCache);
        Assert.NotNull(reloaded.Report.CacheNote);
        Assert.Contains(cacheFile, reloaded.Report.CacheNote);
        AssertSameWeights(fixture.Model.Body, reloaded.Body);

        // The damaged file was replaced by a good one.
        using var third = PretrainedResNet.Load(cacheDirectory: scratch);
        Assert.True(third.Report.FromCache);
        Assert.Equal(File.ReadAllBytes(fixture.Model.Report.CachePath), File.ReadAllBytes(cacheFile));
        Assert.Empty(Directory.GetFiles(scratch, "*.tmp"));
    }

    [Fact]
    public void Cache_file_round_trips_exact_values_and_rejects_another_source()
    {
        var weights = new ResNetWeights(
            [new NamedArray("a.weight", [2, 3], [1f, -2.5f, 3.25f, float.Epsilon, -0f, 1e30f]), new NamedArray("b", [1], [42f])],
            1e-5f);
        var sha = new string('a', 64);
        var path = Path.Combine(scratch, "sub", "w.weights");
        WeightCache.Write(path, sha, weights);

        var read = WeightCache.TryRead(path, sha, out var problem);
        Assert.Null(problem);
        Assert.NotNull(read);
        Assert.Equal(1e-5f, read.BatchNormEpsilon);
        Assert.Equal(["a.weight", "b"], read.Entries.Select(e => e.Name));
        Assert.Equal([2L, 3], read.Entries[0].Shape);
        Assert.Equal(weights.Entries[0].Values, read.Entries[0].Values);
        Assert.Equal([42f], read.Entries[1].Values);

        Assert.Null(WeightCache.TryRead(path, new string('b', 64), out problem));
        Assert.Contains("another model", problem);
    }

    [Fact]
    public void Truncated_onnx_copy_gives_a_clear_error_naming_it()
    {
        var copy = CopyPackageFiles();
        var body = Path.Combine(copy, "ResNet18Onnx", ResNetModelFiles.BodyFileName);
        using (var stream = new FileStream(body, FileMode.Open)) stream.SetLength(stream.Length / 2);

        var error = Assert.Throws<PretrainedModelException>(() => PretrainedResNet.Load(copy, cacheDirectory: scratch));
        Assert.Contains(body, error.Message);
        Assert.Contains("truncated", error.Message);
        Assert.Contains("dotnet restore", error.Message);
    }

    [Fact]
    public void Truncated_onnx_is_also_refused_by_the_graph_reader_itself()
    {
        // Below the hash check: the parser or the graph walk must refuse a cut file on its own.
        var copy = Path.Combine(scratch, "cut.onnx");
        var bytes = File.ReadAllBytes(fixture.Files.BodyPath);
        File.WriteAllBytes(copy, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<PretrainedModelException>(() => OnnxResNetReader.Read(copy));
        Assert.Contains(copy, error.Message);
    }

    [Fact]
    public void Unexpected_graph_is_refused_with_what_was_expected()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(fixture.Files.BodyPath));
        // A torchvision-style symmetric stem padding instead of the graph's [3, 3, 2, 2].
        var stemConv = model.Graph.Node.First(n => n.OpType == "Conv");
        var pads = stemConv.Attribute.Single(a => a.Name == "pads");
        pads.Ints.Clear();
        pads.Ints.Add([3, 3, 3, 3]);
        var error = Assert.Throws<PretrainedModelException>(() => OnnxResNetReader.Read(model, "edited.onnx"));
        Assert.Contains("edited.onnx", error.Message);
        Assert.Contains("stem.conv1 with pads [3, 3, 2, 2]", error.Message);
        Assert.Contains("[3, 3, 3, 3]", error.Message);

        // One batch norm fewer.
        var fewer = ModelProto.Parser.ParseFrom(File.ReadAllBytes(fixture.Files.BodyPath));
        fewer.Graph.Node.Remove(fewer.Graph.Node.Last(n => n.OpType == "BatchNormalization"));
        error = Assert.Throws<PretrainedModelException>(() => OnnxResNetReader.Read(fewer, "fewer.onnx"));
        Assert.Contains("22 Conv and 22 BatchNormalization", error.Message);
        Assert.Contains("21 BatchNormalization", error.Message);
    }

    [Fact]
    public void Missing_files_name_the_folder_and_the_setup_command()
    {
        var error = Assert.Throws<PretrainedModelException>(() => ResNetModelFiles.Locate(scratch));
        Assert.Contains(scratch, error.Message);
        Assert.Contains(ResNetModelFiles.BodyFileName, error.Message);
        Assert.Contains("dotnet restore", error.Message);
    }

    [Fact]
    public void Files_are_found_in_package_layout_and_flat_folders()
    {
        var copy = CopyPackageFiles();
        var found = ResNetModelFiles.Locate(copy);
        Assert.Equal(Path.Combine(copy, "ResNet18Onnx", "ResNet18.onnx"), found.BodyPath);

        var flat = Directory.CreateDirectory(Path.Combine(scratch, "flat")).FullName;
        File.Copy(fixture.Files.BodyPath, Path.Combine(flat, "ResNet18.onnx"));
        File.Copy(fixture.Files.PreprocessPath, Path.Combine(flat, "ResNetPreprocess.onnx"));
        Assert.Equal(Path.Combine(flat, "ResNetPreprocess.onnx"), ResNetModelFiles.Locate(flat).PreprocessPath);
        Assert.StartsWith(ResNetModelFiles.DefaultPackageFolder(), fixture.Files.BodyPath);
    }

    private string CopyPackageFiles()
    {
        var copy = Path.Combine(scratch, "models");
        foreach (var (file, folder) in new[] { (fixture.Files.BodyPath, "ResNet18Onnx"), (fixture.Files.PreprocessPath, "ResNetPrepOnnx") })
        {
            Directory.CreateDirectory(Path.Combine(copy, folder));
            File.Copy(file, Path.Combine(copy, folder, Path.GetFileName(file)));
        }
        return copy;
    }

    internal static void AssertSameWeights(ResNetBody expected, ResNetBody actual)
    {
        var left = expected.state_dict();
        var right = actual.state_dict();
        Assert.Equal(left.Keys.Order(), right.Keys.Order());
        foreach (var (name, tensor) in left)
            Assert.True(tensor.shape.SequenceEqual(right[name].shape) && tensor.eq(right[name]).all().item<bool>(), $"{name} differs");
    }
}
