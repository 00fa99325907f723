namespace CamNotebooks.Book.Building;

/// <summary>
/// Writes a set of files into the book's folder as a whole: every file that changed is first written to a staging folder
/// inside it (so on the same disk), and only when all of them are there are they moved into place. A disk that fills up,
/// or any other write failure, therefore happens before the book is touched: it keeps the previous build whole, never half
/// of each. Moving a file within one disk needs no space, so the swap itself does not fail for lack of it.
/// </summary>
public static class BookFolder
{
    /// <summary>The prefix of the staging folders (hidden: a leading dot).</summary>
    public const string StagingPrefix = ".camnb-staging-";

    /// <summary>A staging folder older than this belongs to a build that was killed: it is removed.</summary>
    private static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Puts <paramref name="files"/> (relative path with '/' → content) into <paramref name="folder"/>, writing only those
    /// whose content differs; returns how many changed. Files not named are left alone.
    /// </summary>
    /// <exception cref="IOException">A file could not be written (then nothing in <paramref name="folder"/> changed).</exception>
    /// <exception cref="UnauthorizedAccessException">The folder is not writable (nothing changed).</exception>
    public static int Replace(string folder, IReadOnlyDictionary<string, byte[]> files)
    {
        string root = Path.GetFullPath(folder);
        Directory.CreateDirectory(root);
        RemoveStaleStaging(root);
        string staging = Path.Combine(root, StagingPrefix + Guid.NewGuid().ToString("N"));
        var staged = new List<(string From, string To)>();
        try
        {
            foreach (var (relative, bytes) in files)
            {
                string target = Path.Combine(root, relative);
                if (File.Exists(target) && new FileInfo(target).Length == bytes.Length && File.ReadAllBytes(target).AsSpan().SequenceEqual(bytes))
                    continue;
                string copy = Path.Combine(staging, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                try
                {
                    File.WriteAllBytes(copy, bytes);
                }
                catch (ArgumentOutOfRangeException e)
                {
                    // .NET reports a file larger than the file system or a size limit allows (EFBIG) this way; a full disk is an IOException.
                    throw new IOException($"{relative} could not be written: {e.Message}", e);
                }
                staged.Add((copy, target));
            }
            // Every changed file is on disk: swap them in.
            foreach (var (from, to) in staged)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Move(from, to, overwrite: true);
            }
            return staged.Count;
        }
        finally
        {
            Remove(staging);
        }
    }

    private static void RemoveStaleStaging(string root)
    {
        foreach (string old in Directory.EnumerateDirectories(root, StagingPrefix + "*"))
            if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(old) > StaleAfter) Remove(old);
    }

    private static void Remove(string staging)
    {
        try
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a later build removes it once it is old.
        }
    }
}
