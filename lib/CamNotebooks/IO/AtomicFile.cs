namespace CamNotebooks.IO;

/// <summary>
/// Writes files so that a reader never sees a half-written one: the content goes to a temporary file beside the target,
/// which is then renamed over it (a rename within one folder is atomic). A crash or an exception leaves the old file, or
/// none, never a partial one.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Calls <paramref name="writeTo"/> with a temporary path, then moves that file to <paramref name="path"/>.</summary>
    public static void Write(string path, Action<string> writeTo)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temporary = $"{full}.{Guid.NewGuid():N}.tmp";
        try
        {
            writeTo(temporary);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, temporary => File.WriteAllBytes(temporary, bytes));
}
