namespace CamNotebooks.IO;

// One implementation, linked into CamNotebooks and CamNotebooks.Runner (see their .csproj); the book uses the runner's
// (InternalsVisibleTo). A shared source file rather than a shared project: the library is loaded by #r as one DLL.

/// <summary>
/// Writes files so that a reader never sees a half-written one: the content goes to a temporary file beside the target,
/// which is then renamed over it (a rename within one folder is atomic). A crash or an exception leaves the old file, or
/// none, never a partial one. A process killed mid-write leaves its temporary file behind; the next write or
/// <see cref="RemoveStaleTemporaries"/> removes it.
/// </summary>
internal static class AtomicFile
{
    /// <summary>A temporary file younger than this may belong to a writer that is about to rename it.</summary>
    private static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(1);

    private static readonly System.Text.UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Calls <paramref name="writeTo"/> with a temporary path, then moves that file to <paramref name="path"/>.</summary>
    /// <remarks><paramref name="writeTo"/> must keep the file open while it writes (as FileStream and File.WriteAllBytes do):
    /// the open file's lock is what tells <see cref="RemoveStaleTemporaries"/> that its writer is still alive.</remarks>
    public static void Write(string path, Action<string> writeTo)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        RemoveStaleTemporaries(full);
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

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Utf8.GetBytes(text));

    /// <summary>Writes only when the file's content differs (its time stamp stays otherwise); returns true when it wrote.</summary>
    public static bool WriteIfChanged(string path, byte[] bytes)
    {
        if (File.Exists(path) && new FileInfo(path).Length == bytes.Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
            return false;
        WriteAllBytes(path, bytes);
        return true;
    }

    /// <summary>
    /// Deletes the temporary files that killed writers of <paramref name="path"/> left behind: older than a minute and not
    /// held open by anyone (.NET locks a file it writes on Linux, and the lock dies with its process). Best effort: a file
    /// that cannot be checked or deleted is left alone. Returns how many were deleted.
    /// </summary>
    public static int RemoveStaleTemporaries(string path)
    {
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        if (folder is null || !Directory.Exists(folder)) return 0;
        int removed = 0;
        try
        {
            foreach (string candidate in Directory.EnumerateFiles(folder, Path.GetFileName(full) + ".*.tmp"))
            {
                try
                {
                    if (DateTime.UtcNow - File.GetLastWriteTimeUtc(candidate) < StaleAfter) continue;
                    using (new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { } // fails while a writer holds it
                    File.Delete(candidate);
                    removed++;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // In use, or not ours to delete: leave it.
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The folder cannot be listed: nothing to clean that we could clean.
        }
        return removed;
    }
}
