using CamNotebooks.Setup;
using static TorchSharp.torch;

namespace CamNotebooks.Tests;

public class NativeFixTests
{
    [Fact]
    public void Patched_copy_no_longer_requires_GLIBCXX_3_4_32_and_real_tensor_math_runs()
    {
        var result = TorchSharpNativeFix.Apply();
        if (!SystemStdCppLacks("GLIBCXX_3.4.32"))
        {
            // On a Linux with GCC 13's libstdc++, or on macOS/Windows, the fix must stay out of the way.
            Assert.False(result.Applied, result.Description);
        }
        else
        {
            Assert.True(result.Applied, result.Description);
            var patched = ElfImage.Load(result.PatchedLibraryPath!);
            var needs = patched.VersionNeeds().Where(n => n.Library == "libstdc++.so.6").Select(n => n.Version).ToList();
            Assert.DoesNotContain("GLIBCXX_3.4.32", needs);
            Assert.Contains("GLIBCXX_3.4.30", needs); // every other requirement is left as it was
            var symbols = patched.DynamicSymbols();
            Assert.DoesNotContain(symbols, s => s.Name == "_ZSt21ios_base_library_initv");
            Assert.Contains(symbols, s => s.Name == "sched_yield" && s.IsUndefined && s.VersionIndex == 1);
            // Nothing else changed: same size, and the symbol count is the original's.
            var original = ElfImage.Load(OriginalGluePath());
            Assert.Equal(original.Bytes.Length, patched.Bytes.Length);
            Assert.Equal(original.DynamicSymbols().Count, symbols.Count);
        }

        // Real math through libtorch: a 3x3 matrix times its inverse is the identity.
        var a = tensor(new float[] { 4, 7, 2, 3, 6, 1, 2, 5, 3 }, 3, 3);
        Assert.True(allclose(matmul(a, linalg.inv(a)), eye(3), atol: 1e-5));
        Assert.Equal(45f, arange(10, dtype: ScalarType.Float32).sum().item<float>());
    }

    [Fact]
    public void Fix_is_idempotent()
    {
        Assert.Same(TorchSharpNativeFix.Apply(), TorchSharpNativeFix.Apply());
        Assert.Same(CamEnvironment.Initialize(), CamEnvironment.Initialize());
    }

    [Fact]
    public void Original_glue_in_the_package_is_never_edited()
    {
        if (!OperatingSystem.IsLinux()) return;
        var original = ElfImage.Load(OriginalGluePath());
        Assert.Contains(original.VersionNeeds(), n => n.Version == "GLIBCXX_3.4.32");
        Assert.Contains(original.DynamicSymbols(), s => s.Name == "_ZSt21ios_base_library_initv");
    }

    [Fact]
    public void A_file_that_is_not_ELF_gives_a_clear_error()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "not a library");
        var error = Assert.Throws<NativeSetupException>(() => ElfImage.Load(path));
        Assert.Contains("is not an ELF file", error.Message);
        File.Delete(path);
    }

    [Fact]
    public void A_truncated_ELF_gives_a_clear_error_instead_of_reading_past_the_end()
    {
        var path = Path.GetTempFileName();
        File.WriteAllBytes(path, File.ReadAllBytes(OriginalGluePath())[..4096]);
        var error = Assert.Throws<NativeSetupException>(() => ElfImage.Load(path).VersionNeeds());
        Assert.Contains("unexpected binary layout", error.Message);
        File.Delete(path);
    }

    private static string OriginalGluePath() =>
        Path.Combine(Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location)!, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    private static bool SystemStdCppLacks(string version)
    {
        if (!OperatingSystem.IsLinux()) return false;
        var path = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length >= 6 && Path.GetFileName(p[5]).StartsWith("libstdc++.so", StringComparison.Ordinal))
            .Select(p => p[5]).First();
        return !ElfImage.Load(path).VersionDefinitions().Contains(version);
    }
}
