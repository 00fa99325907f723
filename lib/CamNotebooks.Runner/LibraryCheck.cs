using System.Text.RegularExpressions;

namespace CamNotebooks.Runner;

/// <summary>
/// Before any kernel starts: every notebook whose first code cell imports the library's set-up file
/// (<c>#!import ../artifacts/notebook-lib/setup.csx</c>, relative or absolute) finds that file, and the library it
/// names. A checkout that was never built, was cleaned (<c>git clean -xfd</c>) or has moved gets one message per
/// set-up file, naming the path and the command to run, instead of a kernel's stack trace or CS0006/CS0246 errors.
/// </summary>
public static partial class LibraryCheck
{
    /// <summary>One message per missing set-up file or library, each naming the notebooks that need it; empty when all is there.</summary>
    /// <param name="notebooks">The .dib notebooks to run.</param>
    public static IReadOnlyList<string> Problems(IEnumerable<string> notebooks)
    {
        var problems = new List<string>();
        foreach (var group in notebooks
                     .Select(dib => (Dib: dib, Setup: SetupFile(dib)))
                     .Where(n => n.Setup is not null)
                     .GroupBy(n => n.Setup!, StringComparer.Ordinal))
        {
            var names = group.Select(n => Path.GetFileName(n.Dib)).ToList();
            string who = names.Count == 1 ? names[0] : $"{names[0]} and {names.Count - 1} more notebooks";
            string setup = group.Key;
            string checkout = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(setup)!, "..", ".."));
            string command = $"run 'dotnet build lib/CamNotebooks -c Release' (./build.sh does it) in {checkout}, then run again.";
            if (!File.Exists(setup))
                problems.Add($"{who}: {setup} is missing: the notebooks' library is not built in this checkout (never built, or cleaned since): {command}");
            else if (LibraryOf(File.ReadAllText(setup)) is { } library && !File.Exists(library))
                problems.Add($"{who}: {setup} loads the library from {library}, which is not there (the checkout has moved, or was cleaned since its last build): {command}");
        }
        return problems;
    }

    /// <summary>The set-up file the first code cell of <paramref name="dib"/> imports (full path), or null when it imports none.</summary>
    public static string? SetupFile(string dib)
    {
        var firstCode = NotebookReader.LoadDib(dib).Elements.FirstOrDefault(e => e.KernelName == "csharp");
        if (firstCode is null || SetupImport().Match(firstCode.Contents) is not { Success: true } import) return null;
        return Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dib))!, import.Groups["path"].Value));
    }

    /// <summary>The library a set-up file references by path (its <c>#r "….dll"</c> line), or null when it names none.</summary>
    public static string? LibraryOf(string setupText) =>
        LibraryReference().Match(setupText) is { Success: true } m ? m.Groups["path"].Value : null;

    [GeneratedRegex(@"^[ \t]*#!import[ \t]+""?(?<path>[^""\r\n]*artifacts[/\\]notebook-lib[/\\]setup\.csx)""?[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex SetupImport();

    [GeneratedRegex(@"^[ \t]*#r[ \t]+""(?<path>[^""\r\n]+\.dll)""", RegexOptions.Multiline)]
    private static partial Regex LibraryReference();
}
