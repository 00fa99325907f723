namespace CamNotebooks.Runner;

/// <summary>Checks, before any notebook runs, that every folder the executed notebooks go to can be written.</summary>
internal static class OutputFolders
{
    /// <summary>Creates each folder and writes and deletes a probe file in it; returns the first problem, or null.</summary>
    public static string? Check(string output, IEnumerable<string> ipynbPaths)
    {
        foreach (string folder in ipynbPaths.Select(p => Path.GetDirectoryName(Path.GetFullPath(p))!).Distinct(StringComparer.Ordinal))
        {
            try
            {
                Directory.CreateDirectory(folder);
                string probe = Path.Combine(folder, $".camnb-write-test-{Environment.ProcessId}");
                File.WriteAllBytes(probe, []);
                File.Delete(probe);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return $"cannot write the executed notebooks to {Path.GetFullPath(output)} ({e.Message}). Choose another --output folder, " +
                       "or make this one writable; no notebook was run.";
            }
        }
        return null;
    }
}
