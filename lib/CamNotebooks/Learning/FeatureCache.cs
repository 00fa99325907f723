using System.Security.Cryptography;
using System.Text;
using CamNotebooks.Model;
using static TorchSharp.torch;

namespace CamNotebooks.Learning;

/// <summary>
/// Keeps the frozen body's pooled features of a list of photos on disk, so a notebook that trains the head again (every
/// chapter does, to stay runnable on its own) skips the one slow step. The key covers everything the features depend on:
/// the pretrained weights (their source hash), how the features are computed, how photos are resized, and every photo's name
/// and content.
/// </summary>
/// <remarks>Files sit beside the converted weights (<see cref="WeightCache.DefaultFolder"/>), end with a SHA-256 of their
/// content, and are written atomically; a damaged file is ignored and rewritten.</remarks>
internal static class FeatureCache
{
    private const int HashLength = 32;

    /// <summary>The cache file for these photos, weights, featurizer and resize.</summary>
    /// <param name="weightsSha256">Hash of the pretrained weights' source file.</param>
    /// <param name="featurizer">Names how features are computed (e.g. with batch norms folded); change it when that changes,
    /// so results of the old computation are not mixed with the new.</param>
    /// <param name="resize">How photos are resized.</param>
    /// <param name="photoPaths">The photos, in order.</param>
    public static string PathFor(string weightsSha256, string featurizer, string resize, IEnumerable<string> photoPaths)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{weightsSha256}\n{featurizer}\n{resize}\n"));
        foreach (string path in photoPaths)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(path) + "\n"));
            hash.AppendData(SHA256.HashData(File.ReadAllBytes(path)));
        }
        return Path.Combine(WeightCache.DefaultFolder(), $"features-{Convert.ToHexStringLower(hash.GetHashAndReset())}.bin");
    }

    /// <summary>The cached features [count, width], or null when absent, damaged or unreadable.</summary>
    public static Tensor? TryRead(string path, int count, int width) => TryRead(path, count, width, out _);

    /// <summary>As above; <paramref name="problem"/> says why a file that exists could not be used.</summary>
    public static Tensor? TryRead(string path, int count, int width, out string? problem)
    {
        problem = null;
        IO.AtomicFile.RemoveStaleTemporaries(path);
        if (!File.Exists(path)) return null;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"the cached features {path} could not be read ({e.Message})";
            return null;
        }
        int payload = count * width * sizeof(float);
        if (bytes.Length != payload + HashLength
            || !SHA256.HashData(bytes.AsSpan(0, payload)).AsSpan().SequenceEqual(bytes.AsSpan(payload)))
            return null;
        var values = new float[count * width];
        Buffer.BlockCopy(bytes, 0, values, 0, payload);
        return tensor(values, [count, width]);
    }

    /// <summary>
    /// Stores features [count, width] if it can; the cache only saves time, so a folder that cannot be written (read-only,
    /// a file or directory in the way, a full disk) is not an error. Returns null when stored, else why not.
    /// </summary>
    public static string? TryWrite(string path, Tensor features)
    {
        try
        {
            Write(path, features);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"the features were not cached: {path} could not be written ({e.Message}). Training goes on; to cache them, " +
                   $"set {WeightCache.FolderVariable} to a writable folder";
        }
    }

    /// <summary>Stores features [count, width].</summary>
    public static void Write(string path, Tensor features)
    {
        float[] values = features.detach().cpu().contiguous().data<float>().ToArray();
        byte[] bytes = new byte[values.Length * sizeof(float) + HashLength];
        Buffer.BlockCopy(values, 0, bytes, 0, values.Length * sizeof(float));
        SHA256.HashData(bytes.AsSpan(0, values.Length * sizeof(float))).CopyTo(bytes.AsSpan(values.Length * sizeof(float)));
        IO.AtomicFile.WriteAllBytes(path, bytes);
    }
}
