using System.Diagnostics;

namespace CamNotebooks.Model;

/// <summary>
/// The pretrained ImageNet ResNet of <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> 0.23.1, ready for CAM: the
/// <see cref="Body"/> in eval mode, its <see cref="Preprocessing"/>, and a <see cref="Report"/> of where the weights came from.
/// </summary>
public sealed class PretrainedResNet : IDisposable
{
    private PretrainedResNet(ResNetBody body, ResNetPreprocessing preprocessing, WeightLoadReport report)
    {
        Body = body;
        Preprocessing = preprocessing;
        Report = report;
    }

    /// <summary>The network body, in eval mode; output [N, 512, H/32, W/32].</summary>
    public ResNetBody Body { get; }

    /// <summary>The input normalisation (RGB 0..255 -> BGR minus mean image) and its inverse.</summary>
    public ResNetPreprocessing Preprocessing { get; }

    /// <summary>Whether the weights came from the cache, from where, and how long it took.</summary>
    public WeightLoadReport Report { get; }

    /// <summary>
    /// Loads the pretrained body. The first load on a machine walks the ONNX graph (a few seconds) and caches the converted
    /// weights in <paramref name="cacheDirectory"/> (default <see cref="WeightCache.DefaultFolder"/>); later loads read the cache.
    /// A damaged cache file is detected by its checksum and replaced.
    /// </summary>
    /// <param name="onnxDirectory">Folder with the ONNX files; null: <see cref="ResNetModelFiles.DirectoryVariable"/> or the NuGet package folder.</param>
    /// <param name="cacheDirectory">Folder for converted weights; null: <see cref="WeightCache.DefaultFolder"/>.</param>
    /// <exception cref="PretrainedModelException">A model file is missing, damaged, or not the expected graph.</exception>
    public static PretrainedResNet Load(string? onnxDirectory = null, string? cacheDirectory = null)
    {
        var clock = Stopwatch.StartNew();
        var files = ResNetModelFiles.Locate(onnxDirectory);
        var sha = FileHashes.RequirePackaged(files.BodyPath, FileHashes.PackagedBody);
        var cachePath = WeightCache.FileFor(cacheDirectory ?? WeightCache.DefaultFolder(), sha);

        IO.AtomicFile.RemoveStaleTemporaries(cachePath); // left by a process killed while it wrote the cache
        string? note = null;
        ResNetWeights? weights = null;
        if (File.Exists(cachePath))
        {
            weights = WeightCache.TryRead(cachePath, sha, out var problem);
            if (weights is null) note = $"{problem}; converted again";
        }
        var fromCache = weights is not null;
        if (weights is null)
        {
            weights = OnnxResNetReader.Read(files.BodyPath);
            try
            {
                WeightCache.Write(cachePath, sha, weights);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The model is usable without the cache; say why the next load will convert again.
                note = (note is null ? "" : note + "; ") + $"could not write the cache file {cachePath}: {e.Message} (set {WeightCache.FolderVariable} to a writable folder)";
            }
        }

        var body = new ResNetBody(weights.BatchNormEpsilon);
        try
        {
            weights.CopyInto(body);
            body.eval();
            var preprocessing = ResNetPreprocessing.LoadPackaged(files.PreprocessPath);
            return new PretrainedResNet(body, preprocessing, new WeightLoadReport(fromCache, files.BodyPath, sha, cachePath, clock.Elapsed, note));
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    /// <summary>Releases the body's and the mean image's native memory.</summary>
    public void Dispose()
    {
        Body.Dispose();
        Preprocessing.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"Pretrained ResNet ({ResNetModelFiles.PackageId} {ResNetModelFiles.PackageVersion}). {Report}";
}
