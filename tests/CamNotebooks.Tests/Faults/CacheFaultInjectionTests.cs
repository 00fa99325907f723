using System.Diagnostics;
using System.Security.Cryptography;
using CamNotebooks.Model;

namespace CamNotebooks.Tests.Faults;

/// <summary>
/// What a damaged cache does to the next start, for the three caches: the patched native library, the converted weights
/// and the body's features. Each case damages a cache in a temp folder (never the user's) and runs the library in a child
/// process pointed at it (issue 14, items 3, 4 and 10).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CacheFaultInjectionTests : IDisposable
{
    private readonly string root = FaultProbe.TempFolder("cache-faults");

    public void Dispose()
    {
        // Modes set by a test (000, 555) must not stop the clean-up.
        // Symbolic links are skipped: changing their mode would change the libraries they point to.
        foreach (var entry in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Prepend(root))
            if (new FileInfo(entry).LinkTarget is null)
                File.SetUnixFileMode(entry, (UnixFileMode)0b111_111_111);
        Directory.Delete(root, recursive: true);
    }

    /// <summary>The environment of a child: every cache under <see cref="root"/>, and HOME there too.</summary>
    private Dictionary<string, string> Environment(string name = "run") => new()
    {
        ["HOME"] = root,
        ["DOTNET_CLI_HOME"] = root,
        ["XDG_CACHE_HOME"] = Path.Combine(root, "xdg"),
        ["CAMNOTEBOOKS_NATIVE_CACHE"] = Path.Combine(root, $"native-{name}"),
        [WeightCache.FolderVariable] = Path.Combine(root, "cache"),
        [ResNetModelFiles.DirectoryVariable] = OnnxCopy.Folder,
    };

    /// <summary>The same caches for a child run as "nobody", except the native one: the first start made that one
    /// (as root) and another test covers it read-only; here the unprivileged child makes its own.</summary>
    private Dictionary<string, string> Unprivileged(Dictionary<string, string> environment) =>
        new(environment) { ["CAMNOTEBOOKS_NATIVE_CACHE"] = Path.Combine(root, "native-unprivileged") };

    private static void AssertStartedAndComputed(FaultProbe.Outcome outcome)
    {
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("sum 4", outcome.StandardOutput);
    }

    private static string PatchedCopy(string nativeCache) =>
        Directory.GetFiles(nativeCache, "libLibTorchSharp.so", SearchOption.AllDirectories).Single();

    // ---------- native library (item 3) ----------

    [Theory]
    [InlineData("truncate to 1 MB")]
    [InlineData("empty")]
    [InlineData("flip bytes")]
    public void A_damaged_patched_native_library_is_rebuilt_on_the_next_start(string damage)
    {
        var environment = Environment();
        AssertStartedAndComputed(FaultProbe.Run("native", environment));
        string patched = PatchedCopy(environment["CAMNOTEBOOKS_NATIVE_CACHE"]);
        byte[] good = File.ReadAllBytes(patched);
        byte[] bad = damage switch
        {
            "truncate to 1 MB" => good[..(1 << 20)],
            "empty" => [],
            _ => Flip(good, good.Length / 2, good.Length / 3),
        };
        File.WriteAllBytes(patched, bad);

        var outcome = FaultProbe.Run("native", environment); // was: "Bus error", exit 135, on every start (truncated)
        AssertStartedAndComputed(outcome);
        Assert.Equal(SHA256.HashData(good), SHA256.HashData(File.ReadAllBytes(patched)));
    }

    [Fact]
    public void A_valid_patched_copy_in_a_read_only_folder_is_used_without_writing()
    {
        var environment = Environment();
        AssertStartedAndComputed(FaultProbe.Run("native", environment));
        string folder = Path.GetDirectoryName(PatchedCopy(environment["CAMNOTEBOOKS_NATIVE_CACHE"]))!;
        File.SetUnixFileMode(folder, (UnixFileMode)0b101_101_101);

        var outcome = FaultProbe.RunUnprivileged("native", environment); // was: refused by a write test
        AssertStartedAndComputed(outcome);
        Assert.Contains("loaded the patched copy", outcome.StandardOutput);
    }

    [Fact]
    public void A_whole_copy_made_before_records_existed_is_kept_even_read_only_and_a_damaged_one_without_record_is_rebuilt()
    {
        var environment = Environment();
        AssertStartedAndComputed(FaultProbe.Run("native", environment));
        string patched = PatchedCopy(environment["CAMNOTEBOOKS_NATIVE_CACHE"]);
        string folder = Path.GetDirectoryName(patched)!;
        File.Delete(patched + ".sha256");
        File.SetUnixFileMode(folder, (UnixFileMode)0b101_101_101);
        AssertStartedAndComputed(FaultProbe.RunUnprivileged("native", environment));

        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        byte[] good = File.ReadAllBytes(patched);
        File.WriteAllBytes(patched, good[..(1 << 20)]);
        AssertStartedAndComputed(FaultProbe.Run("native", environment));
        Assert.Equal(good, File.ReadAllBytes(patched));
        Assert.True(File.Exists(patched + ".sha256"));
    }

    [Fact]
    public void An_unreadable_patched_copy_is_rebuilt()
    {
        var environment = Environment();
        AssertStartedAndComputed(FaultProbe.Run("native", environment));
        string patched = PatchedCopy(environment["CAMNOTEBOOKS_NATIVE_CACHE"]);
        File.SetUnixFileMode(Path.GetDirectoryName(patched)!, (UnixFileMode)0b111_111_111);
        File.SetUnixFileMode(patched, 0);

        AssertStartedAndComputed(FaultProbe.RunUnprivileged("native", environment));
        Assert.NotEqual((UnixFileMode)0, File.GetUnixFileMode(patched));
    }

    [Fact]
    public void A_directory_in_the_way_of_the_patched_copy_is_a_clear_error_naming_it()
    {
        var environment = Environment();
        AssertStartedAndComputed(FaultProbe.Run("native", environment));
        string patched = PatchedCopy(environment["CAMNOTEBOOKS_NATIVE_CACHE"]);
        File.Delete(patched);
        Directory.CreateDirectory(patched);

        var outcome = FaultProbe.Run("native", environment);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("exception CamNotebooks.Setup.NativeSetupException", outcome.StandardOutput);
        Assert.Contains(patched, outcome.StandardOutput);
        Assert.Contains(TorchSharpNativeCacheVariable, outcome.StandardOutput);
    }

    private const string TorchSharpNativeCacheVariable = "CAMNOTEBOOKS_NATIVE_CACHE";

    // ---------- weights cache (items 4 and 10) ----------

    [Fact]
    public void An_unreadable_weights_cache_file_is_converted_again_with_a_note()
    {
        var environment = Environment();
        string cache = environment[WeightCache.FolderVariable];
        var first = FaultProbe.Run("load-weights", environment, cache);
        Assert.Contains("loaded from cache False, note none", first.StandardOutput);
        string file = Directory.GetFiles(cache, "*.weights").Single();
        File.SetUnixFileMode(cache, (UnixFileMode)0b111_111_111);
        File.SetUnixFileMode(file, 0);

        var outcome = FaultProbe.RunUnprivileged("load-weights", Unprivileged(environment), cache); // was: UnauthorizedAccessException
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("loaded from cache False", outcome.StandardOutput);
        Assert.Contains($"cannot read {file}", outcome.StandardOutput);
    }

    [Fact]
    public void A_directory_in_the_way_of_the_weights_cache_file_leaves_the_model_usable_with_a_note()
    {
        var environment = Environment();
        string cache = environment[WeightCache.FolderVariable];
        Directory.CreateDirectory(WeightCache.FileFor(cache, ModelSha256()));

        var outcome = FaultProbe.Run("load-weights", environment, cache);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("loaded from cache False", outcome.StandardOutput);
        Assert.Contains("could not write the cache file", outcome.StandardOutput);
    }

    [Fact]
    public void A_weights_cache_write_killed_midway_leaves_a_temporary_file_that_the_next_start_removes()
    {
        var environment = Environment();
        string cache = environment[WeightCache.FolderVariable];
        Directory.CreateDirectory(cache);
        string target = WeightCache.FileFor(cache, ModelSha256());
        string temporary = KillWriterMidway(environment, target);

        var outcome = FaultProbe.Run("load-weights", environment, cache);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.False(File.Exists(temporary));
        Assert.True(File.Exists(target));
    }

    [Fact]
    public void A_temporary_file_still_being_written_by_a_live_process_is_left_alone()
    {
        var environment = Environment();
        string cache = environment[WeightCache.FolderVariable];
        Directory.CreateDirectory(cache);
        string target = WeightCache.FileFor(cache, ModelSha256());
        using var writer = FaultProbe.Start("write-and-hang", environment, target);
        try
        {
            Assert.Equal("writing", writer.StandardOutput.ReadLine());
            string temporary = Directory.GetFiles(cache, "*.tmp").Single();
            File.SetLastWriteTimeUtc(temporary, DateTime.UtcNow.AddHours(-1));
            var outcome = FaultProbe.Run("load-weights", environment, cache);
            Assert.True(outcome.ExitCode == 0, outcome.ToString());
            Assert.True(File.Exists(temporary), "the temporary file of a live writer was deleted");
        }
        finally
        {
            writer.Kill();
            writer.WaitForExit();
        }
    }

    // ---------- feature cache (item 4) ----------

    [Fact]
    public void Training_continues_uncached_when_the_cache_folder_is_a_file()
    {
        var environment = Environment();
        File.WriteAllText(environment[WeightCache.FolderVariable], "a file where the cache folder should be");

        var outcome = FaultProbe.Run("train", environment); // was: IOException after the features were computed
        AssertTrainedWithWarning(outcome);
    }

    [Fact]
    public void Training_continues_uncached_when_the_cache_folder_is_read_only()
    {
        var environment = Environment();
        string cache = environment[WeightCache.FolderVariable];
        Directory.CreateDirectory(cache);
        File.SetUnixFileMode(cache, (UnixFileMode)0b101_101_101);

        var outcome = FaultProbe.RunUnprivileged("train", Unprivileged(environment)); // was: UnauthorizedAccessException on the temp file
        AssertTrainedWithWarning(outcome);
    }

    [Fact]
    public void Training_continues_uncached_when_a_directory_is_in_the_way_of_the_feature_file()
    {
        var environment = Environment();
        string cache = environment[WeightCache.FolderVariable];
        var first = FaultProbe.Run("train", environment);
        Assert.Contains("from cache False", first.StandardOutput);
        string features = Directory.GetFiles(cache, "features-*.bin").Single();
        File.Delete(features);
        Directory.CreateDirectory(features);

        var outcome = FaultProbe.Run("train", environment); // was: unhandled IOException
        AssertTrainedWithWarning(outcome);
    }

    [Theory]
    [InlineData("truncate")]
    [InlineData("flip bytes")]
    [InlineData("unreadable")]
    public void A_damaged_feature_file_is_recomputed(string damage)
    {
        var environment = Environment();
        string cache = environment[WeightCache.FolderVariable];
        CopyFolder(TrainedCache.Value, cache);
        string features = Directory.GetFiles(cache, "features-*.bin").Single();
        byte[] good = File.ReadAllBytes(features);
        if (damage == "truncate") File.WriteAllBytes(features, good[..(good.Length / 2)]);
        if (damage == "flip bytes") File.WriteAllBytes(features, Flip(good, 10, 1));
        if (damage == "unreadable")
        {
            File.SetUnixFileMode(cache, (UnixFileMode)0b111_111_111);
            File.SetUnixFileMode(features, 0);
        }

        var outcome = damage == "unreadable" ? FaultProbe.RunUnprivileged("train", Unprivileged(environment)) : FaultProbe.Run("train", environment);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("trained epochs 1, from cache False", outcome.StandardOutput);
    }

    /// <summary>
    /// A cache made once for the damage cases: a first training converts the weights and writes the features (not from the
    /// cache), a second reads them back (from the cache). Each case damages its own copy. The folder is removed at exit.
    /// </summary>
    private static readonly Lazy<string> TrainedCache = new(() =>
    {
        var maker = new CacheFaultInjectionTests();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => maker.Dispose();
        var environment = maker.Environment("trained");
        Assert.Contains("from cache False", FaultProbe.Run("train", environment).StandardOutput);
        Assert.Contains("from cache True", FaultProbe.Run("train", environment).StandardOutput);
        return environment[WeightCache.FolderVariable];
    });

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>Starts an atomic write of <paramref name="target"/>, kills the writer with SIGKILL once 16 MB are in its
    /// temporary file, and returns that file, dated an hour back (as a later start would find it).</summary>
    private static string KillWriterMidway(Dictionary<string, string> environment, string target)
    {
        using (var writer = FaultProbe.Start("write-and-hang", environment, target))
        {
            Assert.Equal("writing", writer.StandardOutput.ReadLine());
            writer.Kill(); // SIGKILL: no finally block runs
            writer.WaitForExit();
        }
        string temporary = Directory.GetFiles(Path.GetDirectoryName(target)!, Path.GetFileName(target) + ".*.tmp").Single();
        Assert.Equal(16L << 20, new FileInfo(temporary).Length);
        File.SetLastWriteTimeUtc(temporary, DateTime.UtcNow.AddHours(-1));
        return temporary;
    }

    [Fact]
    public void A_native_copy_write_killed_midway_leaves_a_temporary_file_that_the_next_start_removes()
    {
        var environment = Environment();
        AssertStartedAndComputed(FaultProbe.Run("native", environment));
        string temporary = KillWriterMidway(environment, PatchedCopy(environment["CAMNOTEBOOKS_NATIVE_CACHE"]));
        AssertStartedAndComputed(FaultProbe.Run("native", environment));
        Assert.False(File.Exists(temporary));
    }

    [Fact]
    public void A_feature_write_killed_midway_leaves_a_temporary_file_that_the_next_training_removes()
    {
        var environment = Environment();
        Assert.Contains("from cache False", FaultProbe.Run("train", environment).StandardOutput);
        string features = Directory.GetFiles(environment[WeightCache.FolderVariable], "features-*.bin").Single();
        string temporary = KillWriterMidway(environment, features);
        var outcome = FaultProbe.Run("train", environment);
        Assert.Contains("trained epochs 1, from cache True", outcome.StandardOutput);
        Assert.False(File.Exists(temporary));
    }

    [Theory]
    [InlineData("truncate")]
    [InlineData("flip bytes")]
    public void A_damaged_weights_cache_file_is_converted_again(string damage)
    {
        var environment = Environment();
        string cache = environment[WeightCache.FolderVariable];
        Assert.Contains("loaded from cache False, note none", FaultProbe.Run("load-weights", environment, cache).StandardOutput);
        string file = Directory.GetFiles(cache, "*.weights").Single();
        byte[] good = File.ReadAllBytes(file);
        File.WriteAllBytes(file, damage == "truncate" ? good[..(good.Length / 2)] : Flip(good, good.Length / 2, 8));

        var outcome = FaultProbe.Run("load-weights", environment, cache);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("loaded from cache False", outcome.StandardOutput);
        Assert.Contains("converted again", outcome.StandardOutput);
        Assert.Equal(good, File.ReadAllBytes(file)); // rewritten whole
    }

    private static void AssertTrainedWithWarning(FaultProbe.Outcome outcome)
    {
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("trained epochs 1, from cache False", outcome.StandardOutput);
        Assert.Contains("note the features were not cached", outcome.StandardOutput);
    }

    private static byte[] Flip(byte[] bytes, int at, int count)
    {
        var copy = (byte[])bytes.Clone();
        for (int i = at; i < at + count; i++) copy[i] ^= 0x5A;
        return copy;
    }

    private static string ModelSha256() => OnnxCopy.Sha256;

    /// <summary>The two ONNX files, copied once where an unprivileged child can read them (the NuGet cache is root's).</summary>
    private static class OnnxCopy
    {
        private static readonly Lazy<(string Folder, string Sha)> Copy = new(() =>
        {
            var files = ResNetModelFiles.Locate();
            string folder = Path.Combine(Path.GetTempPath(), $"camnb-onnx-{System.Environment.ProcessId}");
            Directory.CreateDirectory(folder);
            foreach (string file in new[] { files.BodyPath, files.PreprocessPath })
            {
                string copy = Path.Combine(folder, Path.GetFileName(file));
                if (!File.Exists(copy)) File.Copy(file, copy);
                File.SetUnixFileMode(copy, (UnixFileMode)0b110_100_100);
            }
            File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);
            using var body = File.OpenRead(files.BodyPath);
            return (folder, Convert.ToHexStringLower(SHA256.HashData(body)));
        });

        public static string Folder => Copy.Value.Folder;
        public static string Sha256 => Copy.Value.Sha;
    }
}
