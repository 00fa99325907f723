using System.Security.Cryptography;
using System.Text;
using CamNotebooks.IO;

namespace CamNotebooks.Book.Building;

/// <summary>
/// Executed notebooks from earlier builds, reused while nothing that could change their outputs has changed: the
/// notebook's own text, the library the notebooks load (artifacts/notebook-lib/CamNotebooks.dll) and the set-up file
/// they import (setup.csx), the pinned package versions (Directory.Packages.props) and the files in data/. Only
/// successful runs are reused; a failed notebook runs again on the next build.
/// </summary>
public sealed class ExecutionCache
{
    private const string FormatVersion = "camnb-book-cache 1";
    private readonly string _folder;
    private readonly string _environmentKey;

    /// <summary>Opens the cache in <paramref name="folder"/> for notebooks of the repository at <paramref name="repositoryRoot"/>.</summary>
    public ExecutionCache(string folder, string repositoryRoot)
    {
        _folder = Path.GetFullPath(folder);
        _environmentKey = EnvironmentKey(repositoryRoot);
    }

    /// <summary>The cache key of a notebook: a hash of its path, its text and everything in <see cref="EnvironmentKey"/>.</summary>
    public string KeyFor(NotebookSource notebook) =>
        Hash(Encoding.UTF8.GetBytes($"{FormatVersion}\n{_environmentKey}\nnotebook {notebook.RelativePath} {Hash(File.ReadAllBytes(notebook.FullPath))}\n"));

    /// <summary>Where the executed copy of <paramref name="notebook"/> is kept.</summary>
    public string ExecutedPath(NotebookSource notebook) => Path.Combine(_folder, Path.ChangeExtension(notebook.RelativePath, ".ipynb"));

    private string KeyPath(NotebookSource notebook) => ExecutedPath(notebook) + ".key";

    /// <summary>True when the executed copy was made from exactly this notebook and environment, and succeeded.</summary>
    public bool IsFresh(NotebookSource notebook, string key) =>
        File.Exists(ExecutedPath(notebook)) && File.Exists(KeyPath(notebook)) && File.ReadAllText(KeyPath(notebook)).Trim() == key;

    /// <summary>
    /// Keeps <paramref name="executedNotebook"/> (moved in) as the executed copy of <paramref name="notebook"/>; records
    /// <paramref name="key"/> only when the run <paramref name="succeeded"/>, so a failure is never reused.
    /// </summary>
    public string Store(NotebookSource notebook, string executedNotebook, string key, bool succeeded)
    {
        string target = ExecutedPath(notebook);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Delete(KeyPath(notebook)); // first: a crash between the two steps leaves a copy that is not reused
        File.Move(executedNotebook, target, overwrite: true);
        if (succeeded) AtomicFile.WriteAllText(KeyPath(notebook), key + "\n");
        return target;
    }

    /// <summary>Forgets <paramref name="notebook"/>'s result (its run could not produce a notebook).</summary>
    public void Forget(NotebookSource notebook)
    {
        File.Delete(KeyPath(notebook));
        File.Delete(ExecutedPath(notebook));
    }

    /// <summary>
    /// A new, empty scratch folder inside the cache for one run of the runner, named after this process. Another build
    /// using the same cache gets its own, so it never deletes a folder a running runner writes to; folders of builds whose
    /// process is gone are removed here. Release it with <see cref="ReleaseScratchFolder"/>.
    /// </summary>
    public string ScratchFolder()
    {
        string running = Path.Combine(_folder, ".running");
        Directory.CreateDirectory(running);
        foreach (string folder in Directory.GetDirectories(running))
        {
            string owner = Path.GetFileName(folder).Split('-')[0];
            if (int.TryParse(owner, out int pid) && !ProcessIsAlive(pid))
                TryDelete(folder);
        }
        string scratch = Path.Combine(running, $"{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(scratch);
        return scratch;
    }

    /// <summary>Deletes a folder made by <see cref="ScratchFolder"/>.</summary>
    public void ReleaseScratchFolder(string scratch) => TryDelete(scratch);

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next build's clean-up.
        }
    }

    private static bool ProcessIsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// What every notebook's outputs depend on besides its own text, one line per input: the notebook library and the
    /// set-up file beside it, the pinned package versions, and each file under data/ (path, size and content hash).
    /// </summary>
    public static string EnvironmentKey(string repositoryRoot)
    {
        var key = new StringBuilder();
        void Add(string label, string path) =>
            key.Append(label).Append(' ').Append(File.Exists(path) ? Hash(File.ReadAllBytes(path)) : "missing").Append('\n');
        string library = Path.Combine(repositoryRoot, "artifacts", "notebook-lib");
        Add("library", Path.Combine(library, "CamNotebooks.dll"));
        Add("setup", Path.Combine(library, "setup.csx")); // what every notebook's first cell imports (packages, usings)
        Add("packages", Path.Combine(repositoryRoot, "Directory.Packages.props"));
        string data = Path.Combine(repositoryRoot, "data");
        if (Directory.Exists(data))
        {
            foreach (string file in Directory.GetFiles(data, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                using var stream = File.OpenRead(file);
                key.Append("data ").Append(Path.GetRelativePath(data, file).Replace('\\', '/')).Append(' ')
                    .Append(stream.Length).Append(' ').Append(Convert.ToHexStringLower(SHA256.HashData(stream))).Append('\n');
            }
        }
        return key.ToString();
    }

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
