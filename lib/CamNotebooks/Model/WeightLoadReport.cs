namespace CamNotebooks.Model;

/// <summary>How <see cref="PretrainedResNet.Load"/> obtained the weights.</summary>
/// <param name="FromCache">True if the converted weights came from the cache; false if the ONNX graph was converted now.</param>
/// <param name="SourcePath">The <c>ResNet18.onnx</c> used.</param>
/// <param name="SourceSha256">Its SHA-256 (the cache key).</param>
/// <param name="CachePath">The cache file read or written.</param>
/// <param name="Elapsed">Time taken by the whole load.</param>
/// <param name="CacheNote">Why the cache was not used or not written (e.g. a damaged cache file was replaced); null if all went well.</param>
public sealed record WeightLoadReport(bool FromCache, string SourcePath, string SourceSha256, string CachePath, TimeSpan Elapsed, string? CacheNote)
{
    /// <inheritdoc />
    public override string ToString() =>
        (FromCache ? $"Weights loaded from cache {CachePath}" : $"Weights converted from {SourcePath} and cached in {CachePath}") +
        $" in {Elapsed.TotalSeconds:0.00} s." + (CacheNote is null ? "" : $" Note: {CacheNote}.");
}
