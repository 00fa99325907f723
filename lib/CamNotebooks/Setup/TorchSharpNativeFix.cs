using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace CamNotebooks.Setup;

/// <summary>What <see cref="TorchSharpNativeFix.Apply"/> found and did.</summary>
/// <param name="Applied">True when a patched copy of TorchSharp's native glue was loaded.</param>
/// <param name="Description">One line for humans: what was checked and what was done.</param>
/// <param name="PatchedLibraryPath">The patched copy, when one is used.</param>
public sealed record NativeFixResult(bool Applied, string Description, string? PatchedLibraryPath);

/// <summary>
/// Makes TorchSharp 0.107.0 load on Linux distributions whose libstdc++ predates GCC 13 (Debian 12, Ubuntu 22.04, RHEL 9).
/// </summary>
/// <remarks>
/// <para>TorchSharp's native glue <c>libLibTorchSharp.so</c> was built with GCC 13 and asks libstdc++ for version
/// <c>GLIBCXX_3.4.32</c>, only for one function, <c>std::ios_base_library_init()</c>, which GCC 13 emits wherever
/// <c>&lt;iostream&gt;</c> is included. Older libstdc++ lacks that version, so the loader refuses the whole library and
/// TorchSharp reports a misleading "doesn't contain a reference to libtorch-cpu" error.</para>
/// <para>The fix works on a <em>copy</em> in a per-user cache folder (the NuGet cache is never edited): it redirects the
/// one call to <c>sched_yield</c> (a harmless argument-less libc function; libtorch's own code still initialises the
/// standard streams), drops the version requirement, links the rest of libtorch beside the copy by symbolic links, and loads
/// the copy before TorchSharp's first call, so TorchSharp's own <c>DllImport</c>s bind to it. Where libstdc++ already has
/// every version the glue needs (newer Linux), or on macOS and Windows, it does nothing.</para>
/// </remarks>
public static class TorchSharpNativeFix
{
    private const string GlueFileName = "libLibTorchSharp.so";
    private const string StdCppLibrary = "libstdc++.so.6";

    /// <summary>Symbols that may be redirected, and to what: only calls that are safe to turn into no-ops.</summary>
    private static readonly IReadOnlyDictionary<string, string> SafeRedirects = new Dictionary<string, string>
    {
        ["_ZSt21ios_base_library_initv"] = "sched_yield",
    };

    private static readonly Lock Gate = new();
    private static NativeFixResult? _result;

    /// <summary>Environment variable that overrides the folder where patched copies are kept.</summary>
    public const string CacheVariable = "CAMNOTEBOOKS_NATIVE_CACHE";

    /// <summary>
    /// Checks whether TorchSharp's native glue can load here and, if not, loads a patched copy. Idempotent and thread-safe;
    /// must run before the first use of <c>TorchSharp.torch</c>.
    /// </summary>
    /// <exception cref="NativeSetupException">The fix was needed but could not be applied; the message says why and what to do.</exception>
    public static NativeFixResult Apply()
    {
        lock (Gate)
        {
            return _result ??= ApplyOnce();
        }
    }

    private static NativeFixResult ApplyOnce()
    {
        if (!AppliesTo(OperatingSystem.IsLinux(), RuntimeInformation.ProcessArchitecture))
            return new(false, $"Not needed on {RuntimeInformation.OSDescription} ({RuntimeInformation.ProcessArchitecture}).", null);

        string glue = FindGlueLibrary();
        var glueImage = ElfImage.Load(glue);
        string stdcpp = FindLoadedStdCpp();
        var available = ElfImage.Load(stdcpp).VersionDefinitions();
        var missing = glueImage.VersionNeeds()
            .Where(n => n.Library == StdCppLibrary && !available.Contains(n.Version))
            .ToList();
        if (missing.Count == 0)
            return new(false, $"Not needed: {stdcpp} provides every version {GlueFileName} asks for.", null);

        string libtorchFolder = FindLibtorchFolder(glue);
        string target = CacheFolder(glue, libtorchFolder);
        string patched = Path.Combine(target, GlueFileName);
        IO.AtomicFile.RemoveStaleTemporaries(patched); // left by a process killed while it wrote the copy
        // A copy is loaded only once its size and hash match the record written beside it: a truncated or altered library
        // would crash the process inside the loader (bus error), on this start and every later one.
        if (!PatchedCopyRecord.Matches(patched))
            Rebuild(glueImage, missing, patched);
        try
        {
            LinkSiblings(libtorchFolder, target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CannotWrite(target, e);
        }

        try
        {
            NativeLibrary.Load(patched);
        }
        catch (Exception e)
        {
            throw new NativeSetupException(
                $"The patched copy {patched} of TorchSharp's native library did not load: {e.Message}. " +
                $"Delete the folder {target} and try again; if it persists, use a Linux whose libstdc++ comes from GCC 13 or newer " +
                "(Ubuntu 24.04, Debian 13).", e);
        }
        string versions = string.Join(", ", missing.Select(m => m.Version));
        return new(true, $"{stdcpp} lacks {versions}; loaded the patched copy {patched}.", patched);
    }

    /// <summary>The fix is only ever considered on Linux x64 (the only glue built with GCC 13); elsewhere nothing is read or written.</summary>
    internal static bool AppliesTo(bool isLinux, Architecture architecture) => isLinux && architecture == Architecture.X64;

    /// <summary>Finds the unpatched glue next to TorchSharp.dll (application output) or in its NuGet package folder.</summary>
    private static string FindGlueLibrary()
    {
        string assemblyFolder = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location)
            ?? throw new NativeSetupException("TorchSharp.dll has no location on disk; load it from a file, not from memory.");
        string[] candidates =
        [
            Path.Combine(assemblyFolder, "runtimes", "linux-x64", "native", GlueFileName),
            Path.Combine(assemblyFolder, GlueFileName),
            // NuGet package layout: torchsharp/<version>/lib/net8.0/TorchSharp.dll
            Path.GetFullPath(Path.Combine(assemblyFolder, "..", "..", "runtimes", "linux-x64", "native", GlueFileName)),
        ];
        return candidates.FirstOrDefault(File.Exists) ?? throw new NativeSetupException(
            $"TorchSharp's native library {GlueFileName} was not found beside {assemblyFolder} (looked in: {string.Join(", ", candidates)}). " +
            "Reference the TorchSharp-cpu package (not TorchSharp alone) and restore again.");
    }

    /// <summary>Finds libtorch's libraries: beside the glue (application output) or in the libtorch-cpu-linux-x64 package.</summary>
    private static string FindLibtorchFolder(string glue)
    {
        string glueFolder = Path.GetDirectoryName(glue)!;
        if (File.Exists(Path.Combine(glueFolder, "libtorch_cpu.so"))) return glueFolder;
        // glue: <packages>/torchsharp/<version>/runtimes/linux-x64/native/libLibTorchSharp.so
        string packages = Path.GetFullPath(Path.Combine(glueFolder, "..", "..", "..", "..", ".."));
        string libtorchPackage = Path.Combine(packages, "libtorch-cpu-linux-x64");
        var found = Directory.Exists(libtorchPackage)
            ? Directory.GetDirectories(libtorchPackage)
                .Select(v => Path.Combine(v, "runtimes", "linux-x64", "native"))
                .Where(f => File.Exists(Path.Combine(f, "libtorch_cpu.so")))
                .OrderByDescending(f => f, StringComparer.Ordinal)
                .FirstOrDefault()
            : null;
        return found ?? throw new NativeSetupException(
            $"libtorch's libraries (libtorch_cpu.so) were found neither beside {glue} nor under {libtorchPackage}. " +
            "Reference the TorchSharp-cpu package and restore again.");
    }

    /// <summary>Asks the loader for libstdc++ and reads where it came from, so we inspect the very file the process uses.</summary>
    private static string FindLoadedStdCpp()
    {
        if (!NativeLibrary.TryLoad(StdCppLibrary, out _))
            throw new NativeSetupException($"{StdCppLibrary} could not be loaded; install your distribution's libstdc++ package.");
        string? path = File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(parts => parts.Length >= 6 && Path.GetFileName(parts[5]).StartsWith("libstdc++.so", StringComparison.Ordinal))
            .Select(parts => parts[5])
            .FirstOrDefault();
        return path ?? throw new NativeSetupException($"{StdCppLibrary} was loaded but does not appear in /proc/self/maps.");
    }

    /// <summary>The folder for the patched copy: keyed by the glue's hash and libtorch's folder, so stale copies are never reused.</summary>
    private static string CacheFolder(string glue, string libtorchFolder)
    {
        byte[] glueHash = SHA256.HashData(File.ReadAllBytes(glue));
        byte[] folderHash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(libtorchFolder));
        string key = Convert.ToHexStringLower(glueHash)[..16] + "-" + Convert.ToHexStringLower(folderHash)[..8];
        return Path.Combine(CacheRoot(), key);
    }

    /// <summary>Writes the patched copy and its record; the folder is only written to here, so a valid cache may be read-only.</summary>
    private static void Rebuild(ElfImage image, IReadOnlyList<ElfImage.VersionNeed> missing, string patched)
    {
        if (Directory.Exists(patched))
            throw new NativeSetupException(
                $"{patched} is a directory, where the patched TorchSharp library should be. Delete it (the library is rebuilt on " +
                $"the next start), or set {CacheVariable} to another folder.");
        byte[] bytes = PatchedBytes(image, missing);
        if (PatchedCopyRecord.IsRecordMissingForIdentical(patched, bytes))
        {
            // A whole copy made before records existed: keep it, and record it if the folder allows.
            try { PatchedCopyRecord.Write(patched, bytes); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            return;
        }
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(patched)!);
            // Written beside, then renamed: a crash mid-write never leaves a half-written library that a later run would trust.
            IO.AtomicFile.WriteAllBytes(patched, bytes);
            PatchedCopyRecord.Write(patched, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CannotWrite(Path.GetDirectoryName(patched)!, e);
        }
    }

    private static NativeSetupException CannotWrite(string target, Exception e) => new(
        $"Cannot write the patched TorchSharp library to {target}: {e.Message}. " +
        $"Set the environment variable {CacheVariable} to a writable folder, or use a Linux whose libstdc++ comes from GCC 13 or newer.", e);

    /// <summary>Where patched copies live: $CAMNOTEBOOKS_NATIVE_CACHE, else $XDG_CACHE_HOME/camnotebooks/native, else ~/.cache/camnotebooks/native.</summary>
    public static string CacheRoot()
    {
        string? overridden = Environment.GetEnvironmentVariable(CacheVariable);
        if (!string.IsNullOrWhiteSpace(overridden)) return Path.GetFullPath(overridden);
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string cache = !string.IsNullOrWhiteSpace(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "camnotebooks", "native");
    }

    private static byte[] PatchedBytes(ElfImage image, IReadOnlyList<ElfImage.VersionNeed> missing)
    {
        var symbols = image.DynamicSymbols();
        foreach (var need in missing)
        {
            foreach (var symbol in symbols.Where(s => s.VersionIndex == need.Index))
            {
                if (!SafeRedirects.TryGetValue(symbol.Name, out var replacement))
                    throw new NativeSetupException(
                        $"{GlueFileName} needs {symbol.Name} from {need.Version}, which this machine's libstdc++ lacks, and that symbol " +
                        "cannot be safely redirected: unexpected binary layout (a TorchSharp version this fix does not know). " +
                        "Use a Linux whose libstdc++ comes from GCC 13 or newer (Ubuntu 24.04, Debian 13), or TorchSharp 0.107.0 exactly.");
                image.RenameUndefinedSymbol(symbol, replacement);
            }
            image.RemoveVersionNeed(need);
        }
        return image.Bytes;
    }

    /// <summary>The glue's RUNPATH is $ORIGIN: link libtorch's libraries beside the copy so its dependencies resolve there.</summary>
    private static void LinkSiblings(string libtorchFolder, string target)
    {
        foreach (string file in Directory.GetFiles(libtorchFolder))
        {
            string name = Path.GetFileName(file);
            if (name == GlueFileName) continue;
            string link = Path.Combine(target, name);
            var existing = new FileInfo(link);
            if (existing.LinkTarget == file) continue;
            if (existing.Exists || existing.LinkTarget is not null) File.Delete(link);
            try
            {
                File.CreateSymbolicLink(link, file);
            }
            catch (IOException) when (new FileInfo(link).LinkTarget == file)
            {
                // Another process created the same link at the same moment: that is the result we wanted.
            }
        }
    }

    /// <summary>Which version names a library file needs from libstdc++ (used by tests and diagnostics).</summary>
    public static IReadOnlyList<string> StdCppVersionsNeeded(string libraryPath) =>
        ElfImage.Load(libraryPath).VersionNeeds().Where(n => n.Library == StdCppLibrary).Select(n => n.Version).ToList();

    /// <summary>Which undefined symbols a library file binds to a given needed version (used by tests and diagnostics).</summary>
    public static IReadOnlyList<string> SymbolsBoundTo(string libraryPath, string version)
    {
        var image = ElfImage.Load(libraryPath);
        var indices = image.VersionNeeds().Where(n => n.Version == version).Select(n => n.Index).ToHashSet();
        return image.DynamicSymbols().Where(s => indices.Contains(s.VersionIndex)).Select(s => s.Name).ToList();
    }
}
