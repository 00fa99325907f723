using System.IO.Compression;
using CamNotebooks.Data;
using static TorchSharp.torch;

namespace CamNotebooks.Tests;

public class FashionMnistTests
{
    private static byte[] Idx(byte type, int[] shape, byte[] data)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)shape.Length };
        foreach (var size in shape) bytes.AddRange(new[] { (byte)(size >> 24), (byte)(size >> 16), (byte)(size >> 8), (byte)size });
        bytes.AddRange(data);
        return bytes.ToArray();
    }

    private static byte[] Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(raw);
        return output.ToArray();
    }

    [Fact]
    public void A_crafted_idx_file_parses_plain_and_gzipped()
    {
        var raw = Idx(0x08, [2, 3], [1, 2, 3, 4, 5, 6]);
        foreach (var bytes in new[] { raw, Gzip(raw) })
        {
            var array = IdxFile.Read(new MemoryStream(bytes), "tiny");
            Assert.Equal([2, 3], array.Shape);
            Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, array.Data);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 8 }, "too short")]
    [InlineData(new byte[] { 1, 0, 8, 1, 0, 0, 0, 1, 5 }, "not an IDX")]
    [InlineData(new byte[] { 0, 0, 0x0D, 1, 0, 0, 0, 1, 5, 5, 5, 5 }, "not supported")]
    [InlineData(new byte[] { 0, 0, 8, 2, 0, 0, 0, 2 }, "ends before their sizes")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0, 0, 0, 3, 1, 2 }, "truncated")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0, 0, 0, 1, 1, 2 }, "more than")]
    [InlineData(new byte[] { 0, 0, 8, 2, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF }, "corrupt")]
    public void Malformed_idx_data_is_refused_with_the_reason(byte[] bytes, string reason)
    {
        var error = Assert.Throws<DataFormatException>(() => IdxFile.Read(new MemoryStream(bytes), "bad.idx"));
        Assert.Contains("bad.idx", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Corrupt_gzip_and_missing_files_are_refused()
    {
        var gz = Gzip(Idx(0x08, [4], [1, 2, 3, 4]));
        Assert.Throws<DataFormatException>(() => IdxFile.Read(new MemoryStream(gz[..12]), "cut.gz"));
        var missing = Path.Combine(Path.GetTempPath(), $"none-{Guid.NewGuid():N}.gz");
        Assert.Contains("does not exist", Assert.Throws<DataFormatException>(() => IdxFile.Read(missing)).Message);
    }

    [Fact]
    public void The_subset_loads_with_the_documented_sizes_and_ranges()
    {
        using var test = FashionMnist.LoadTest();
        Assert.Equal(2000, test.Count);
        Assert.Equal(new long[] { 2000, 1, 28, 28 }, test.Images.shape);
        Assert.Equal(ScalarType.Float32, test.Images.dtype);
        Assert.Equal(ScalarType.Int64, test.Labels.dtype);
        Assert.InRange(test.Images.min().item<float>(), 0, 0.001);
        Assert.InRange(test.Images.max().item<float>(), 0.999, 1);
        Assert.Equal(0, test.Labels.min().item<long>());
        Assert.Equal(9, test.Labels.max().item<long>());
        // Every class is present (the subset is the start of a shuffled set).
        Assert.Equal(10, test.Labels.unique().output.shape[0]);
        Assert.Equal(10, FashionMnist.ClassNames.Count);

        using var train = FashionMnist.LoadTrain();
        Assert.Equal(new long[] { 12000, 1, 28, 28 }, train.Images.shape);
    }

    [Fact]
    public void Images_and_labels_must_match()
    {
        var dir = Directory.CreateTempSubdirectory("idx-test").FullName;
        try
        {
            string images = Path.Combine(dir, "i.gz"), labels = Path.Combine(dir, "l.gz");
            File.WriteAllBytes(images, Gzip(Idx(0x08, [2, 2, 2], [0, 255, 0, 255, 1, 2, 3, 4])));
            File.WriteAllBytes(labels, Gzip(Idx(0x08, [2], [3, 9])));
            using (var set = FashionMnist.Load(images, labels))
            {
                Assert.Equal(new long[] { 2, 1, 2, 2 }, set.Images.shape);
                Assert.Equal(1f, set.Images[0, 0, 0, 1].item<float>());
                Assert.Equal(new long[] { 3, 9 }, set.Labels.data<long>().ToArray());
            }
            File.WriteAllBytes(labels, Gzip(Idx(0x08, [3], [3, 9, 1])));
            Assert.Contains("3 labels for 2 images", Assert.Throws<DataFormatException>(() => FashionMnist.Load(images, labels)).Message);
            File.WriteAllBytes(labels, Gzip(Idx(0x08, [2], [3, 10])));
            Assert.Contains("label 10", Assert.Throws<DataFormatException>(() => FashionMnist.Load(images, labels)).Message);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
