using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CamNotebooks.Book.Rendering;
using CamNotebooks.IO;

namespace CamNotebooks.Book.Building;

/// <summary>What the explorer page is computed from.</summary>
/// <param name="Photos">How many validation photos (spread over the split, as <c>EvaluationSet.Subset</c> picks them).</param>
/// <param name="ExcludedMethods">Methods left out by name (their cost would break the build's budget).</param>
/// <param name="MaxCost">The most a method may cost on one layer, in plain forward passes: a costlier method (Score-CAM) is left
/// out, and the page says so.</param>
public sealed record ExplorerSettings(int Photos, IReadOnlyList<string> ExcludedMethods, double MaxCost)
{
    /// <summary>4 photos (2 cats, 2 dogs), no method left out by name, methods up to 20 forward passes per layer.</summary>
    public static ExplorerSettings Default { get; } = new(4, [], 20);
}

/// <summary>How the explorer step of a build went.</summary>
/// <param name="Site">The explorer's data, or null when it could not be computed.</param>
/// <param name="Reused">True when it came from the cache.</param>
/// <param name="Failure">Why it could not be computed, or null.</param>
/// <param name="Elapsed">Time spent (zero when reused).</param>
public sealed record ExplorerOutcome(ExplorerSite? Site, bool Reused, string? Failure, TimeSpan Elapsed);

/// <summary>
/// Computes the "Which layer, which method?" page's maps at book-build time: a small notebook (Explorer/explorer.dib, filled
/// in with the settings) runs in the runner, like a chapter, trains the chapters' classifier (its features come from the user
/// cache) and writes every map with <c>MapExplorer</c>. The result is kept in &lt;cache&gt;/explorer and reused while the
/// notebook, the settings and everything a chapter's outputs depend on (<see cref="ExecutionCache.EnvironmentKey"/>) are unchanged.
/// </summary>
public static class ExplorerBuild
{
    private const string FormatVersion = "camnb-explorer 1";

    /// <summary>The notebook that computes the explorer, with {{SETUP}}, {{PHOTOS}}, {{EXCLUDED}}, {{MAXCOST}} and {{OUTPUT}} to fill in.</summary>
    public static string Template { get; } = ReadTemplate();

    /// <summary>The cache key: the template, the settings and the notebooks' environment.</summary>
    public static string Key(string repositoryRoot, ExplorerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string text = $"{FormatVersion}\n{ExecutionCache.EnvironmentKey(repositoryRoot)}\ntemplate {Hash(Encoding.UTF8.GetBytes(Template))}\n" +
                      $"photos {settings.Photos}\nexcluded {string.Join(',', settings.ExcludedMethods.Order(StringComparer.Ordinal))}\n" +
                      $"max cost {settings.MaxCost.ToString(CultureInfo.InvariantCulture)}\n";
        return Hash(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>The notebook for these settings, writing into <paramref name="outputFolder"/>.</summary>
    public static string Notebook(string repositoryRoot, ExplorerSettings settings, string outputFolder)
    {
        ArgumentNullException.ThrowIfNull(settings);
        static string Literal(string text) => "@\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        return Template
            .Replace("{{SETUP}}", Path.Combine(repositoryRoot, "artifacts", "notebook-lib", "setup.csx"), StringComparison.Ordinal)
            .Replace("{{PHOTOS}}", settings.Photos.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{{EXCLUDED}}", "new string[] { " + string.Join(", ", settings.ExcludedMethods.Select(Literal)) + " }", StringComparison.Ordinal)
            .Replace("{{MAXCOST}}", settings.MaxCost.ToString("R", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{{OUTPUT}}", Literal(outputFolder), StringComparison.Ordinal);
    }

    /// <summary>Reuses the cached explorer or computes it again through the runner.</summary>
    public static async Task<ExplorerOutcome> BuildAsync(BuildOptions options, ExplorerSettings settings, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        string folder = Path.Combine(options.CacheFolder, "explorer");
        string keyFile = Path.Combine(options.CacheFolder, "explorer.key");
        string key = Key(options.RepositoryRoot, settings);
        if (File.Exists(keyFile) && File.ReadAllText(keyFile).Trim() == key && File.Exists(Path.Combine(folder, ExplorerSite.IndexFile)))
        {
            log("  reused   the explorer (nothing it depends on changed)");
            return new ExplorerOutcome(ExplorerSite.Read(folder), true, null, TimeSpan.Zero);
        }
        log("  running  the explorer's maps");
        var stopwatch = Stopwatch.StartNew();
        var cache = new ExecutionCache(options.CacheFolder, options.RepositoryRoot);
        string scratch = cache.ScratchFolder();
        try
        {
            string data = Path.Combine(scratch, "data");
            string dib = Path.Combine(scratch, "explorer.dib");
            File.WriteAllText(dib, Notebook(options.RepositoryRoot, settings, data));
            var outcome = await RunnerProcess.RunAsync(options.RunnerAssembly, new NotebookSource(dib, "explorer.dib", PageKind.Chapter),
                scratch, options.RepositoryRoot, options.NotebookTimeout, line => log($"           {line.Trim()}"));
            if (outcome.ExitCode != 0 || !File.Exists(Path.Combine(data, ExplorerSite.IndexFile)))
            {
                string error = outcome.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .LastOrDefault(l => l.StartsWith("error:", StringComparison.Ordinal))?["error:".Length..].Trim() ?? $"the runner exited with code {outcome.ExitCode}";
                log($"  FAILED   the explorer after {stopwatch.Elapsed.TotalSeconds:F1} s: {error}");
                return new ExplorerOutcome(null, false, error, stopwatch.Elapsed);
            }
            File.Delete(keyFile); // first: a crash between the steps leaves data that is not reused
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            Directory.Move(data, folder);
            AtomicFile.WriteAllText(keyFile, key + "\n");
            var site = ExplorerSite.Read(folder);
            log($"  ran      the explorer: {site.Maps.Count} maps in {stopwatch.Elapsed.TotalSeconds:F1} s (maps {site.Seconds:F1} s)");
            return new ExplorerOutcome(site, false, null, stopwatch.Elapsed);
        }
        finally
        {
            cache.ReleaseScratchFolder(scratch);
        }
    }

    private static string ReadTemplate()
    {
        const string name = "CamNotebooks.Book.Explorer.explorer.dib";
        using var stream = typeof(ExplorerBuild).Assembly.GetManifestResourceStream(name)
                           ?? throw new InvalidOperationException($"The resource {name} is missing from CamNotebooks.Book.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
