using System.Globalization;
using System.Security.Cryptography;

namespace CamNotebooks.Setup;

/// <summary>
/// The size and SHA-256 of a patched native library, kept beside it (<c>libLibTorchSharp.so.sha256</c>), so that a start
/// can tell a whole copy from a truncated, altered or unreadable one before it hands the file to the loader.
/// </summary>
internal static class PatchedCopyRecord
{
    private static string RecordPath(string library) => library + ".sha256";

    /// <summary>Records <paramref name="bytes"/>, the content just written to <paramref name="library"/>.</summary>
    public static void Write(string library, byte[] bytes) =>
        IO.AtomicFile.WriteAllBytes(RecordPath(library),
            System.Text.Encoding.ASCII.GetBytes($"{bytes.LongLength} {Convert.ToHexStringLower(SHA256.HashData(bytes))}\n"));

    /// <summary>True when <paramref name="library"/> has no record yet but holds exactly <paramref name="expected"/> (a copy
    /// written before records existed, perhaps in a folder that is read-only now).</summary>
    public static bool IsRecordMissingForIdentical(string library, byte[] expected)
    {
        try
        {
            return !File.Exists(RecordPath(library)) && File.Exists(library) && new FileInfo(library).Length == expected.LongLength
                   && File.ReadAllBytes(library).AsSpan().SequenceEqual(expected);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>True when the library and its record exist and agree; false for anything else (missing, damaged,
    /// unreadable), which calls for a rebuild. Reads only: works in a read-only folder.</summary>
    public static bool Matches(string library)
    {
        try
        {
            if (!File.Exists(library) || !File.Exists(RecordPath(library))) return false;
            string[] parts = File.ReadAllText(RecordPath(library)).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long size)) return false;
            using var file = File.OpenRead(library);
            if (file.Length != size) return false; // the cheap check first: a truncated copy is rejected without hashing
            return Convert.ToHexStringLower(SHA256.HashData(file)) == parts[1];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
