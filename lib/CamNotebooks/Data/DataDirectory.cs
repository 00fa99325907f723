namespace CamNotebooks.Data;

/// <summary>
/// Finds the project's data folders (<c>data/pets</c>, <c>data/fashion-mnist</c>) without the caller knowing where the
/// notebook, the test or the program runs from.
/// </summary>
public static class DataDirectory
{
    /// <summary>
    /// Returns the full path of <c>data/<paramref name="name"/></c>: <paramref name="explicitPath"/> if given (it must
    /// exist), otherwise the first <c>data/<paramref name="name"/></c> found walking up from the current directory, then
    /// walking up from the folder holding this library's assembly.
    /// </summary>
    /// <param name="name">The folder under <c>data/</c>, e.g. <c>pets</c>.</param>
    /// <param name="explicitPath">A path to use instead of searching; null or empty to search.</param>
    /// <exception cref="DirectoryNotFoundException">The explicit path does not exist, or nothing was found; the message
    /// lists where it looked and how to fix it.</exception>
    public static string Find(string name, string? explicitPath = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!string.IsNullOrEmpty(explicitPath))
        {
            var full = Path.GetFullPath(explicitPath);
            return Directory.Exists(full)
                ? full
                : throw new DirectoryNotFoundException($"The data folder '{full}' given for '{name}' does not exist.");
        }

        var starts = new[] { Directory.GetCurrentDirectory(), Path.GetDirectoryName(typeof(DataDirectory).Assembly.Location) }
            .Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).Distinct().ToList();
        foreach (var start in starts)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "data", name);
                if (Directory.Exists(candidate)) return candidate;
            }
        }
        throw new DirectoryNotFoundException(
            $"Could not find 'data/{name}' in any parent of {string.Join(" or ", starts.Select(s => $"'{s}'"))}. " +
            "Run from inside the CamNotebooks repository, or pass the folder's path explicitly.");
    }
}
