using System.Text.Json.Nodes;
using CamNotebooks.Book.Jupyter;
using CamNotebooks.Tests.Book;
using CamNotebooks.Tests.Notebooks;

namespace CamNotebooks.Tests.Jupyter;

/// <summary>
/// Where <c>jupyter-kernel</c> finds the pinned dotnet-interactive. Once the SDK has restored a tool it remembers the path,
/// and a later <c>dotnet tool restore</c> under another NUGET_PACKAGES (an empty one, as the fresh-clone check uses) reports
/// the tool restored without downloading it there.
/// </summary>
public class KernelCommandTests
{
    [Fact]
    public void Jupyter_kernel_registers_the_tool_the_sdk_restored_when_NUGET_PACKAGES_is_an_empty_folder()
    {
        string root = Temporary();
        string empty = Directory.CreateDirectory(Path.Combine(root, "nuget")).FullName;
        string kernels = Path.Combine(root, "kernels");
        var environment = JupyterPathTests.JupyterEnvironment(root);
        environment["NUGET_PACKAGES"] = empty;

        var outcome = JupyterPathTests.Step("dotnet", ["exec", BookFixtures.BookAssembly, "jupyter-kernel", "--path", kernels],
            Repository.Root, environment, TimeSpan.FromMinutes(5), expectedExitCode: null);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var argv = JsonNode.Parse(File.ReadAllText(Path.Combine(kernels, ".net-csharp", "kernel.json")))!["argv"]!.AsArray();
        string tool = (string)argv[1]!;
        Assert.True(File.Exists(tool), $"the kernel spec runs {tool}, which does not exist");
    }

    [Fact]
    public void The_tool_is_taken_from_the_first_packages_folder_that_holds_the_pinned_version_and_the_error_names_every_folder()
    {
        string root = Temporary();
        string version = PinnedVersion();
        string first = Path.Combine(root, "first"), second = Path.Combine(root, "second");
        string tools = Directory.CreateDirectory(Path.Combine(second, KernelCommand.ToolPackage, version, "tools", "net10.0", "any")).FullName;
        File.WriteAllText(Path.Combine(tools, "DotnetToolSettings.xml"),
            """<DotNetCliTool Version="1"><Commands><Command Name="dotnet-interactive" EntryPoint="App.dll" Runner="dotnet" /></Commands></DotNetCliTool>""");

        Assert.Equal(Path.Combine(tools, "App.dll"), KernelCommand.ToolAssembly(Repository.Root, [first, second]));
        var missing = Assert.Throws<FileNotFoundException>(() => KernelCommand.ToolAssembly(Repository.Root, [first]));
        Assert.Contains(first, missing.Message);
        Assert.Contains("dotnet tool restore", missing.Message);
    }

    [Fact]
    public void The_sdk_resolver_cache_names_the_packages_folder_its_tool_came_from_and_an_unreadable_cache_file_is_skipped()
    {
        string root = Temporary();
        string cache = Directory.CreateDirectory(Path.Combine(root, "toolResolverCache", "1")).FullName;
        string packages = Path.Combine(root, "elsewhere", "packages");
        string executable = Path.Combine(packages, KernelCommand.ToolPackage, "1.0.0", "tools", "net10.0", "any", "App.dll");
        File.WriteAllText(Path.Combine(cache, KernelCommand.ToolPackage),
            new JsonArray(new JsonObject { ["Version"] = "1.0.0", ["PathToExecutable"] = executable }).ToJsonString());
        Directory.CreateDirectory(Path.Combine(root, "toolResolverCache", "2"));
        File.WriteAllText(Path.Combine(root, "toolResolverCache", "2", KernelCommand.ToolPackage), "{ not json");

        Assert.Equal([packages], KernelCommand.ResolverCacheFolders(Path.Combine(root, "toolResolverCache")));
        Assert.Empty(KernelCommand.ResolverCacheFolders(Path.Combine(root, "no-cache-here")));
    }

    private static string PinnedVersion() =>
        (string)JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, "dotnet-tools.json")))!["tools"]![KernelCommand.ToolPackage]!["version"]!;

    private static string Temporary() =>
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "camnb-kernel-" + Guid.NewGuid().ToString("N"))).FullName;
}
