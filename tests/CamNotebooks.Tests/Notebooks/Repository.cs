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

    /// <summary>The built learner's program (CamNotebooks.Consumer.dll), which references the library as a project.</summary>
    public static string ConsumerAssembly { get; } = Metadata("ConsumerAssembly");

    /// <summary>The notebooks folder.</summary>
    public static string Notebooks => Path.Combine(Root, "notebooks");

    /// <summary>Where tests write executed notebooks, so later checks can read their outputs.</summary>
    public static string ExecutedNotebooks => Path.Combine(Root, "artifacts", "test-notebooks");

    /// <summary>
    /// Copies artifacts/notebook-lib (the library and setup.csx, which every notebook imports) into the same place under
    /// <paramref name="root"/>, with the copied setup.csx loading the copied library, as a build there would write it.
    /// </summary>
    public static void CopyNotebookLibrary(string root)
    {
        string from = Path.Combine(Root, "artifacts", "notebook-lib");
        string to = Path.Combine(root, "artifacts", "notebook-lib");
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        string setup = Path.Combine(to, "setup.csx");
        string library = $"#r \"{Path.Combine(from, "CamNotebooks.dll")}\"";
        string text = File.ReadAllText(setup);
        Assert.Contains(library, text);
        File.WriteAllText(setup, text.Replace(library, $"#r \"{Path.Combine(to, "CamNotebooks.dll")}\""));
    }

    /// <summary>Every .dib under notebooks/, as paths relative to that folder, in name order.</summary>
    public static IEnumerable<object[]> AllNotebooks() =>
        Directory.GetFiles(Notebooks, "*.dib", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Notebooks, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .Select(p => new object[] { p });
}
