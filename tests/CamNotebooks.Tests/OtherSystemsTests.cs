using System.Runtime.InteropServices;
using System.Xml.Linq;
using CamNotebooks.Setup;
using CamNotebooks.Tests.Notebooks;

namespace CamNotebooks.Tests;

/// <summary>The Linux-only parts stay out of the way on Windows and macOS.</summary>
public class OtherSystemsTests
{
    [Theory]
    [InlineData(false, Architecture.X64, false)]   // Windows or macOS on Intel
    [InlineData(false, Architecture.Arm64, false)] // macOS on Apple silicon, Windows on Arm
    [InlineData(true, Architecture.Arm64, false)]  // Linux on Arm: TorchSharp-cpu ships no glue to patch there
    [InlineData(true, Architecture.X64, true)]
    public void The_native_fix_is_considered_only_on_linux_x64(bool isLinux, Architecture architecture, bool applies) =>
        Assert.Equal(applies, TorchSharpNativeFix.AppliesTo(isLinux, architecture));

    [Fact]
    public void SkiaSharps_linux_native_package_holds_linux_libraries_only_and_skiasharp_brings_windows_and_macos_ones()
    {
        // NuGet copies runtimes/<rid>/native files only for a matching runtime: a package whose every native file is under
        // runtimes/linux-* contributes nothing on Windows or macOS, which get theirs through SkiaSharp's own dependencies.
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string version = XDocument.Load(Path.Combine(Repository.Root, "Directory.Packages.props")).Descendants("PackageVersion")
            .Single(p => (string?)p.Attribute("Include") == "SkiaSharp.NativeAssets.Linux.NoDependencies").Attribute("Version")!.Value;
        string linux = Path.Combine(packages, "skiasharp.nativeassets.linux.nodependencies", version);
        var natives = Directory.GetFiles(linux, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(linux, f).Replace('\\', '/'))
            .Where(f => f.StartsWith("runtimes/", StringComparison.Ordinal) || f.StartsWith("lib/", StringComparison.Ordinal) || f.StartsWith("build", StringComparison.Ordinal))
            .ToList();
        Assert.Contains("runtimes/linux-x64/native/libSkiaSharp.so", natives);
        // Native files for Linux runtimes only; MSBuild targets only for .NET Framework (net462, net48), never imported by
        // net10.0; lib/ holds only NuGet's empty "_._" placeholders (no assembly).
        Assert.All(natives, f => Assert.Matches(@"^(runtimes/linux-[^/]+/native/libSkiaSharp\.so|build(Transitive)?/net4[0-9]+/[^/]+\.targets|lib/[^/]+/_\._)$", f));
        var skia = XDocument.Load(Path.Combine(packages, "skiasharp", version, "skiasharp.nuspec"));
        var net10 = skia.Descendants().Where(e => e.Name.LocalName == "group" && (string?)e.Attribute("targetFramework") == "net10.0")
            .SelectMany(g => g.Elements()).Select(d => (string?)d.Attribute("id")).ToList();
        Assert.Contains("SkiaSharp.NativeAssets.Win32", net10);
        Assert.Contains("SkiaSharp.NativeAssets.macOS", net10);
    }
}
