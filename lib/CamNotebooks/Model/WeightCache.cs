using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace CamNotebooks.Model;

/// <summary>
/// Per-user cache of converted weights, so the 64 MB ONNX graph is walked once per machine. One file per source model, named by
/// the SHA-256 of the source .onnx. Format (little-endian): magic <c>CAMNBW01</c>, the source SHA-256 (32 bytes), the
/// batch-norm epsilon, the entry count, then per entry its name, rank, dimensions and float32 values; the file ends with the
/// SHA-256 of everything before it, so a truncated or altered file is recognised and converted again rather than used.
/// Files are written to a temporary name and renamed, so a crash never leaves a half-written cache file behind.
/// </summary>
public static class WeightCache
{
    /// <summary>Environment variable that overrides the cache folder.</summary>
    public const string FolderVariable = "CAMNOTEBOOKS_CACHE";

    private static readonly byte[] Magic = "CAMNBW01"u8.ToArray();
    private const int HashLength = 32;

    /// <summary>
    /// The cache folder: <see cref="FolderVariable"/> if set, else <c>$XDG_CACHE_HOME/camnotebooks/weights</c>, else
    /// <c>~/.cache/camnotebooks/weights</c>.
    /// </summary>
    public static string DefaultFolder()
    {
        var overridden = Environment.GetEnvironmentVariable(FolderVariable);
        if (!string.IsNullOrWhiteSpace(overridden)) return Path.GetFullPath(overridden);
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrWhiteSpace(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "camnotebooks", "weights");
    }

    /// <summary>The cache file for a source model with the given SHA-256 (lower-case hex).</summary>
    public static string FileFor(string folder, string sourceSha256) => Path.Combine(folder, $"resnet18-{sourceSha256}.weights");

    internal static void Write(string path, string sourceSha256, ResNetWeights weights)
    {
        using var buffer = new MemoryStream(capacity: (int)Math.Min(int.MaxValue, weights.ValueCount * 4 + 64 * 1024));
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Convert.FromHexString(sourceSha256));
            writer.Write(weights.BatchNormEpsilon);
            writer.Write(weights.Entries.Count);
            foreach (var entry in weights.Entries)
            {
                writer.Write(entry.Name);
                writer.Write(entry.Shape.Length);
                foreach (var dim in entry.Shape) writer.Write(dim);
                writer.Write(MemoryMarshal.AsBytes(entry.Values.AsSpan()));
            }
        }
        var checksum = SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));

        IO.AtomicFile.Write(path, temporary =>
        {
            using var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            file.Write(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            file.Write(checksum);
            file.Flush(flushToDisk: true);
        });
    }

    /// <summary>Reads a cache file; returns null with the reason when it is unusable (damaged, or made from another source).</summary>
    internal static ResNetWeights? TryRead(string path, string sourceSha256, out string? problem)
    {
        problem = null;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot read {path}: {e.Message}";
            return null;
        }
        if (bytes.Length < Magic.Length + 2 * HashLength + 8 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            problem = $"{path} is not a CamNotebooks weight cache file (wrong header or too short)";
            return null;
        }
        var content = bytes.AsSpan(0, bytes.Length - HashLength);
        if (!SHA256.HashData(content).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - HashLength)))
        {
            problem = $"{path} is damaged (its checksum does not match its content)";
            return null;
        }
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, 0, content.Length, writable: false), Encoding.UTF8);
            reader.ReadBytes(Magic.Length);
            var recordedSource = Convert.ToHexStringLower(reader.ReadBytes(HashLength));
            if (recordedSource != sourceSha256)
            {
                problem = $"{path} was made from another model (SHA-256 {recordedSource}, expected {sourceSha256})";
                return null;
            }
            var epsilon = reader.ReadSingle();
            var count = reader.ReadInt32();
            var entries = new List<NamedArray>(count);
            for (var i = 0; i < count; i++)
            {
                var name = reader.ReadString();
                var rank = reader.ReadInt32();
                if (rank is < 1 or > 4) throw new InvalidDataException($"entry {name} has rank {rank}");
                var shape = new long[rank];
                for (var d = 0; d < rank; d++) shape[d] = reader.ReadInt64();
                var length = checked((int)shape.Aggregate(1L, (a, b) => a * b));
                var values = new float[length];
                var read = reader.Read(MemoryMarshal.AsBytes(values.AsSpan()));
                if (read != length * sizeof(float)) throw new EndOfStreamException($"entry {name} is cut short");
                entries.Add(new NamedArray(name, shape, values));
            }
            if (reader.BaseStream.Position != content.Length) throw new InvalidDataException("trailing bytes after the last entry");
            return new ResNetWeights(entries, epsilon);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or OverflowException or ArgumentException)
        {
            problem = $"{path} is malformed ({e.Message})";
            return null;
        }
    }
}
