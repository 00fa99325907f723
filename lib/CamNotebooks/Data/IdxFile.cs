using System.Buffers.Binary;
using System.IO.Compression;

namespace CamNotebooks.Data;

/// <summary>
/// Reads the IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a big-endian header
/// <c>00 00 type ndim</c>, then <c>ndim</c> 32-bit sizes, then the elements. Gzip-compressed files are recognised by
/// their magic bytes. Only unsigned-byte elements (type 0x08), the type of these datasets, are supported.
/// </summary>
public static class IdxFile
{
    /// <summary>Refuses headers announcing more elements than this (a corrupt size would otherwise allocate gigabytes).</summary>
    public const long MaxElements = 1L << 30;

    /// <summary>Reads an IDX file, gzip-compressed or not.</summary>
    /// <exception cref="DataFormatException">The file is missing, unreadable, not IDX, of an unsupported type, truncated or too long.</exception>
    public static IdxArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new DataFormatException(path, "the file does not exist.", new FileNotFoundException(null, path));
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads IDX data from a stream (gzip-compressed or not) to its end.</summary>
    /// <param name="stream">The data.</param>
    /// <param name="sourceName">A name for error messages.</param>
    /// <exception cref="DataFormatException">The data is not IDX, of an unsupported type, truncated or too long.</exception>
    public static IdxArray Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] raw;
        try
        {
            raw = Decompress(ReadAll(stream));
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(sourceName, $"the gzip data is corrupt or truncated ({e.Message}).", e);
        }
        catch (IOException e)
        {
            throw new DataFormatException(sourceName, $"cannot be read ({e.Message}).", e);
        }
        return Parse(raw, sourceName);
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static byte[] Decompress(byte[] bytes)
    {
        if (bytes.Length < 2 || bytes[0] != 0x1F || bytes[1] != 0x8B) return bytes;
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        return ReadAll(gzip);
    }

    private static IdxArray Parse(byte[] raw, string source)
    {
        if (raw.Length < 4)
            throw new DataFormatException(source, $"only {raw.Length} bytes: too short for an IDX header.");
        if (raw[0] != 0 || raw[1] != 0)
            throw new DataFormatException(source, "not an IDX file (the first two bytes must be zero).");
        if (raw[2] != 0x08)
            throw new DataFormatException(source, $"IDX element type 0x{raw[2]:X2} is not supported; only unsigned bytes (0x08) are.");
        int dims = raw[3];
        if (dims == 0) throw new DataFormatException(source, "the IDX header declares zero dimensions.");
        int headerLength = 4 + 4 * dims;
        if (raw.Length < headerLength)
            throw new DataFormatException(source, $"the header declares {dims} dimensions but the data ends before their sizes.");
        var shape = new int[dims];
        long count = 1;
        for (int d = 0; d < dims; d++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(raw.AsSpan(4 + 4 * d));
            if (size > int.MaxValue) throw new DataFormatException(source, $"dimension {d} has an impossible size {size}.");
            shape[d] = (int)size;
            count *= size;
            if (count > MaxElements)
                throw new DataFormatException(source, $"the header declares more than {MaxElements} elements; the file is corrupt.");
        }
        long actual = raw.Length - headerLength;
        if (actual != count)
            throw new DataFormatException(source, actual < count
                ? $"truncated: the header declares [{string.Join(", ", shape)}] = {count} elements but only {actual} bytes follow."
                : $"{actual - count} bytes more than the [{string.Join(", ", shape)}] elements the header declares.");
        return new IdxArray(shape, raw[headerLength..]);
    }
}

/// <summary>An array read from an IDX file: its dimensions and its bytes in row-major order.</summary>
/// <param name="Shape">Dimension sizes, outermost first (e.g. [N, 28, 28] for images, [N] for labels).</param>
/// <param name="Data">The elements, row-major.</param>
public sealed record IdxArray(IReadOnlyList<int> Shape, byte[] Data);
