using System.Reflection;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>Paths of the repository the tests were built from.</summary>
public static class Repository
{
    private static string Metadata(string key) =>
        typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    /// <summary>The repository's root folder (where CamNotebooks.sln is).</summary>
    public static string Root { get; } = Path.GetFullPath(Metadata("RepoRoot"));

    /// <summary>The built notebook runner (CamNotebooks.Runner.dll).</summary>
    public static string RunnerAssembly { get; } = Metadata("RunnerAssembly");

    /// <summary>The built benchmarks (CamNotebooks.Bench.dll).</summary>
    public static string BenchAssembly { get; } = Metadata("BenchAssembly");

    /// <summary>The notebooks folder.</summary>
    public static string Notebooks => Path.Combine(Root, "notebooks");

    /// <summary>Where tests write executed notebooks, so later checks can read their outputs.</summary>
    public static string ExecutedNotebooks => Path.Combine(Root, "artifacts", "test-notebooks");

    /// <summary>Every .dib under notebooks/, as paths relative to that folder, in name order.</summary>
    public static IEnumerable<object[]> AllNotebooks() =>
        Directory.GetFiles(Notebooks, "*.dib", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Notebooks, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .Select(p => new object[] { p });
}
