using CamNotebooks.Tests.Notebooks;

namespace CamNotebooks.Tests.Jupyter;

/// <summary>
/// A test that needs Debian's Jupyter packages (python3-nbformat, jupyter-nbconvert, jupyter-client), which test.sh
/// installs on Linux. Elsewhere it is skipped with a message saying so; on Linux a missing package fails the test.
/// </summary>
public sealed class DebianJupyterFactAttribute : FactAttribute
{
    /// <summary>Skips the test outside Linux.</summary>
    public DebianJupyterFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
            Skip = "Needs Debian's jupyter-nbconvert and python3-nbformat, which test.sh installs on Linux only; " +
                   "on Windows and macOS install Jupyter yourself and run these tests on Linux CI.";
    }
}

/// <summary>Debian's Jupyter tools, called as child processes.</summary>
internal static class DebianJupyter
{
    /// <summary>Debian's Python, which has the packages (a python3 found first on the PATH, e.g. pyenv's, may not).</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>Debian's jupyter command.</summary>
    public const string Jupyter = "/usr/bin/jupyter";

    /// <summary>Fails with what to install when the Debian packages are missing.</summary>
    public static void Require()
    {
        var check = File.Exists(Python)
            ? ProcessRunner.Run(Python, ["-c", "import nbformat, nbconvert, jupyter_client"], Repository.Root, TimeSpan.FromMinutes(1))
            : null;
        Assert.True(check is { ExitCode: 0 } && File.Exists(Jupyter),
            "Debian's Jupyter packages are missing: run 'apt-get install jupyter-nbconvert python3-nbformat jupyter-client' (test.sh does it).\n" + check);
    }

    /// <summary>
    /// Validates each .ipynb exactly as written (no upgrade, no repair) against the nbformat JSON schema with
    /// nbformat's own validator; returns one line per problem, empty when every notebook is valid.
    /// </summary>
    public static IReadOnlyList<string> SchemaProblems(IEnumerable<string> notebooks)
    {
        Require();
        const string script = """
            import json, sys
            from nbformat.validator import iter_validate
            checked = 0
            for path in sys.argv[1:]:
                with open(path, encoding="utf-8") as f:
                    notebook = json.load(f)
                for error in iter_validate(notebook):
                    print(f"{path}: {'/'.join(map(str, error.path))}: {error.message[:300]}")
                checked += 1
            print(f"checked {checked}")
            """;
        var files = notebooks.ToList();
        var outcome = ProcessRunner.Run(Python, ["-c", script, .. files], Repository.Root, TimeSpan.FromMinutes(2));
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var lines = outcome.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        Assert.Equal($"checked {files.Count}", lines[^1]); // the validator did look at every file
        return lines[..^1];
    }
}
