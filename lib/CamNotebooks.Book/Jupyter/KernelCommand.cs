using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using CamNotebooks.IO;
using CamNotebooks.Tools;

namespace CamNotebooks.Book.Jupyter;

/// <summary>
/// <c>jupyter-kernel</c>: registers the .NET Interactive kernels with Jupyter (<c>dotnet interactive jupyter install</c>)
/// so that they start from any folder and keep their HTTP services on loopback. The stock registration runs
/// <c>dotnet interactive</c>, which only works inside a folder whose tool manifest names the tool; here each kernel spec
/// runs the pinned tool's assembly by its absolute path, with <c>--http-local-only</c>.
/// </summary>
public static class KernelCommand
{
    /// <summary>The tool's package, as dotnet-tools.json names it.</summary>
    public const string ToolPackage = "microsoft.dotnet-interactive";

    /// <summary>The <c>jupyter-kernel</c> subcommand.</summary>
    internal static Command Create()
    {
        var path = CommandLineTool.Text("--path", "Where the kernel specs go [default: Jupyter's user kernels folder, <JUPYTER_DATA_DIR>/kernels].", "folder");
        var command = new Command("jupyter-kernel", "Registers the .NET (C#, F#, PowerShell) kernels with Jupyter, running the tool pinned in " +
            "dotnet-tools.json by its path (so a notebook opened in any folder starts) and with HTTP on 127.0.0.1 only. Run it inside the " +
            "repository. Exit code: 0, 1 when a step fails, 2 on bad input.")
        {
            path,
        };
        command.SetAction(parsed =>
        {
            var (output, error) = (parsed.InvocationConfiguration.Output, parsed.InvocationConfiguration.Error);
            string? root = FindManifestFolder(Directory.GetCurrentDirectory());
            if (root is null)
                return CommandLineTool.Refuse(parsed, error, $"no dotnet-tools.json in {Directory.GetCurrentDirectory()} or above it: run this inside the CamNotebooks repository.");
            string kernels = Path.GetFullPath(parsed.GetValue(path) ?? DefaultKernelsFolder());
            return Install(root, kernels, output, error);
        });
        return command;
    }

    private static int Install(string root, string kernels, TextWriter output, TextWriter error)
    {
        if (Run("dotnet", ["tool", "restore"], root) is { } restoreFailed)
        {
            error.WriteLine($"error: 'dotnet tool restore' in {root} failed:\n{restoreFailed}");
            return 1;
        }
        string tool;
        try
        {
            tool = ToolAssembly(root);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
        {
            error.WriteLine($"error: {e.Message}");
            return 1;
        }
        Directory.CreateDirectory(kernels);
        if (Run("dotnet", [tool, "jupyter", "install", "--path", kernels], root) is { } installFailed)
        {
            error.WriteLine($"error: 'dotnet interactive jupyter install --path {kernels}' failed:\n{installFailed}");
            return 1;
        }
        foreach (string spec in Directory.GetFiles(kernels, "kernel.json", SearchOption.AllDirectories)
                     .Where(f => Path.GetFileName(Path.GetDirectoryName(f))!.StartsWith(".net-", StringComparison.Ordinal)))
        {
            AtomicFile.WriteAllText(spec, AnywhereSpec(File.ReadAllText(spec), tool));
            output.WriteLine($"registered {spec}");
        }
        output.WriteLine($"The kernels run {tool} from any folder; their HTTP services listen on 127.0.0.1 only (--http-local-only).");
        return 0;
    }

    /// <summary>
    /// A kernel spec (kernel.json) whose command runs <paramref name="toolAssembly"/> instead of <c>dotnet interactive</c>
    /// and passes <c>--http-local-only</c>; other fields are kept.
    /// </summary>
    public static string AnywhereSpec(string kernelJson, string toolAssembly)
    {
        var spec = JsonNode.Parse(kernelJson)?.AsObject() ?? throw new InvalidDataException("The kernel spec is not a JSON object.");
        var argv = (spec["argv"] as JsonArray)?.Select(a => (string?)a ?? "").ToList() ?? throw new InvalidDataException("The kernel spec has no argv.");
        if (argv.Count >= 2 && argv[0] == "dotnet" && argv[1] == "interactive") argv[1] = toolAssembly;
        if (!argv.Contains("--http-local-only")) argv.Add("--http-local-only");
        spec["argv"] = new JsonArray(argv.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray());
        return spec.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>The pinned dotnet-interactive's entry assembly, wherever the SDK restored it (see <see cref="PackageFolders"/>).</summary>
    public static string ToolAssembly(string root) => ToolAssembly(root, PackageFolders());

    /// <summary>The pinned dotnet-interactive's entry assembly in the first of <paramref name="packageFolders"/> that holds it.</summary>
    public static string ToolAssembly(string root, IReadOnlyList<string> packageFolders)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "dotnet-tools.json")));
        string version = manifest.RootElement.GetProperty("tools").GetProperty(ToolPackage).GetProperty("version").GetString()
                         ?? throw new InvalidDataException($"dotnet-tools.json pins no version of {ToolPackage}.");
        string package = packageFolders.Select(folder => Path.Combine(folder, ToolPackage, version, "tools")).FirstOrDefault(Directory.Exists)
                         ?? throw new FileNotFoundException($"{ToolPackage} {version} is in none of {string.Join(", ", packageFolders)}: " +
                                                            $"run 'dotnet tool restore' in {root}.");
        string settings = Directory.GetFiles(package, "DotnetToolSettings.xml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).LastOrDefault()
                          ?? throw new FileNotFoundException($"{package} holds no DotnetToolSettings.xml.");
        string entry = XDocument.Load(settings).Descendants("Command").Select(c => (string?)c.Attribute("EntryPoint")).FirstOrDefault()
                       ?? throw new InvalidDataException($"{settings} names no entry point.");
        return Path.Combine(Path.GetDirectoryName(settings)!, entry);
    }

    /// <summary>
    /// Where a restored tool can be: NUGET_PACKAGES, the default packages folder, and the folders named by the SDK's tool
    /// resolver cache. That cache is why: once a tool is restored, <c>dotnet tool restore</c> under another NUGET_PACKAGES
    /// reports it restored and downloads nothing, and <c>dotnet tool run</c> runs the cached path.
    /// </summary>
    public static IReadOnlyList<string> PackageFolders()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var folders = new List<string>();
        if (Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured) folders.Add(configured);
        folders.Add(Path.Combine(home, ".nuget", "packages"));
        string cliHome = Environment.GetEnvironmentVariable("DOTNET_CLI_HOME") is { Length: > 0 } cli ? cli : home;
        folders.AddRange(ResolverCacheFolders(Path.Combine(cliHome, ".dotnet", "toolResolverCache")));
        return folders.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The packages folders that the SDK's tool resolver cache (one JSON file per tool, per cache version) points into.</summary>
    internal static IEnumerable<string> ResolverCacheFolders(string cache)
    {
        if (!Directory.Exists(cache)) yield break;
        foreach (string file in Directory.GetFiles(cache, ToolPackage, SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            JsonNode? entries;
            try { entries = JsonNode.Parse(File.ReadAllText(file)); }
            catch (Exception e) when (e is JsonException or IOException) { continue; } // the SDK's cache, not ours: skip what we cannot read
            foreach (var entry in (entries as JsonArray ?? []).OfType<JsonObject>())
            {
                string? executable = (string?)entry["PathToExecutable"];
                for (var folder = executable is null ? null : new DirectoryInfo(Path.GetDirectoryName(executable)!); folder?.Parent is not null; folder = folder.Parent)
                    if (string.Equals(folder.Name, ToolPackage, StringComparison.OrdinalIgnoreCase))
                    {
                        yield return folder.Parent.FullName;
                        break;
                    }
            }
        }
    }

    /// <summary>Jupyter's user kernels folder: JUPYTER_DATA_DIR, else the platform's default data folder, with <c>kernels</c> under it.</summary>
    public static string DefaultKernelsFolder()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string data = Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR") is { Length: > 0 } configured ? configured
            : OperatingSystem.IsWindows() ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "jupyter")
            : OperatingSystem.IsMacOS() ? Path.Combine(home, "Library", "Jupyter")
            : Path.Combine(Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(home, ".local", "share"), "jupyter");
        return Path.Combine(data, "kernels");
    }

    private static string? FindManifestFolder(string start)
    {
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "dotnet-tools.json"))) return folder.FullName;
        return null;
    }

    /// <summary>Runs a child process to its end; returns its output when it fails, null when it succeeds.</summary>
    private static string? Run(string command, string[] arguments, string folder)
    {
        var start = new ProcessStartInfo(command) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{command} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? null : stdout.Result + stderr;
    }
}
