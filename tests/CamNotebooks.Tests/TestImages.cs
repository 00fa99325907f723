using System.Buffers.Binary;
using CamNotebooks.Data;
using SkiaSharp;

namespace CamNotebooks.Tests;

/// <summary>Crafts small image files for the tests.</summary>
internal static class TestImages
{
    internal static string PetsImage(string name) => Path.Combine(DataDirectory.Find("pets"), "images", name);

    /// <summary>A bitmap whose four quadrants are red (top left), green (top right), blue (bottom left), white (bottom right).</summary>
    internal static SKBitmap Quadrants(int width, int height)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        using var paint = new SKPaint();
        void Fill(SKColor color, int x, int y) { paint.Color = color; canvas.DrawRect(x, y, width / 2f, height / 2f, paint); }
        Fill(SKColors.Red, 0, 0);
        Fill(new SKColor(0, 255, 0), width / 2, 0);
        Fill(SKColors.Blue, 0, height / 2);
        Fill(SKColors.White, width / 2, height / 2);
        return bitmap;
    }

    internal static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format, int quality = 100)
    {
        using var data = bitmap.Encode(format, quality);
        return data.ToArray();
    }

    /// <summary>Inserts an APP1 Exif segment holding only the Orientation tag right after the JPEG's SOI marker.</summary>
    internal static byte[] WithExifOrientation(byte[] jpeg, ushort orientation)
    {
        if (jpeg[0] != 0xFF || jpeg[1] != 0xD8) throw new ArgumentException("not a JPEG");
        var tiff = new List<byte>();
        tiff.AddRange("MM"u8.ToArray());            // big-endian TIFF
        tiff.AddRange(new byte[] { 0, 42, 0, 0, 0, 8 }); // magic 42, first IFD at offset 8
        tiff.AddRange(new byte[] { 0, 1 });          // one entry
        tiff.AddRange(new byte[] { 0x01, 0x12, 0, 3, 0, 0, 0, 1 }); // tag 274 Orientation, type SHORT, count 1
        tiff.AddRange(new byte[] { (byte)(orientation >> 8), (byte)orientation, 0, 0 });
        tiff.AddRange(new byte[] { 0, 0, 0, 0 });    // no next IFD
        var payload = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        int length = payload.Length + 2;
        var segment = new byte[] { 0xFF, 0xE1, (byte)(length >> 8), (byte)length }.Concat(payload);
        return jpeg[..2].Concat(segment).Concat(jpeg[2..]).ToArray();
    }

    /// <summary>Rewrites a PNG's IHDR width and height and recomputes the chunk's CRC, so decoders accept the header.</summary>
    internal static byte[] WithPngSize(byte[] png, uint width, uint height)
    {
        var copy = (byte[])png.Clone();
        // Signature (8), IHDR length (4) at 8, "IHDR" at 12, width at 16, height at 20, 5 more bytes, CRC at 29.
        if (System.Text.Encoding.ASCII.GetString(copy, 12, 4) != "IHDR") throw new ArgumentException("IHDR not first");
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(16), width);
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(20), height);
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(29), Crc32(copy.AsSpan(12, 17)));
        return copy;
    }

    internal static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    internal static string TempFile(byte[] contents, string extension)
    {
        var path = Path.Combine(Path.GetTempPath(), $"camnotebooks-test-{Guid.NewGuid():N}{extension}");
        File.WriteAllBytes(path, contents);
        return path;
    }
}
