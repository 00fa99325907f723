using CamNotebooks.Model;

namespace CamNotebooks.Tests.Model;

/// <summary>
/// One converted model and one ONNX Runtime reference for all model tests. The weight cache goes to a fresh temporary folder,
/// so a test run never depends on (or changes) the user's cache.
/// </summary>
public sealed class PretrainedModelFixture : IDisposable
{
    public PretrainedModelFixture()
    {
        CacheFolder = Path.Combine(Path.GetTempPath(), "camnotebooks-test-cache-" + Guid.NewGuid().ToString("N"));
        Files = ResNetModelFiles.Locate();
        Model = PretrainedResNet.Load(cacheDirectory: CacheFolder);
        Reference = new OnnxReference(Files);
    }

    public string CacheFolder { get; }
    public ResNetModelFiles Files { get; }
    public PretrainedResNet Model { get; }
    internal OnnxReference Reference { get; }

    public void Dispose()
    {
        Model.Dispose();
        Reference.Dispose();
        if (Directory.Exists(CacheFolder)) Directory.Delete(CacheFolder, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class PretrainedModelCollection : ICollectionFixture<PretrainedModelFixture>
{
    public const string Name = "Pretrained ResNet";
}
