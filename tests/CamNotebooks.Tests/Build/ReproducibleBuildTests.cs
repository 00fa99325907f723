using System.Text.Json;
using System.Xml.Linq;
using CamNotebooks.Tests.Notebooks;

namespace CamNotebooks.Tests.Build;

/// <summary>
/// Issue 20: the same commit restores the same packages on any day, and every program built on the library runs with
/// the assemblies it was compiled against. These read the committed build files; the last two build and run programs.
/// </summary>
public class ReproducibleBuildTests
{
    private static readonly string[] Projects =
        File.ReadAllLines(Path.Combine(Repository.Root, "CamNotebooks.sln"))
            .Where(line => line.StartsWith("Project(") && line.Contains(".csproj"))
            .Select(line => line.Split(',')[1].Trim().Trim('"').Replace('\\', '/'))
            .ToArray();

    private static Dictionary<string, string> Locked(string project)
    {
        string path = Path.Combine(Repository.Root, Path.GetDirectoryName(project)!, "packages.lock.json");
        Assert.True(File.Exists(path), $"{project} has no committed packages.lock.json: run `dotnet restore -force-evaluate` and commit it");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("dependencies").GetProperty("net10.0").EnumerateObject()
            .Where(package => package.Value.TryGetProperty("resolved", out _))
            .ToDictionary(package => package.Name, package => package.Value.GetProperty("resolved").GetString()!, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public void Every_project_of_the_solution_has_a_lock_file()
    {
        Assert.True(Projects.Length >= 7, string.Join(", ", Projects));
        foreach (string project in Projects) Assert.NotEmpty(Locked(project));
    }

    [Fact]
    public void The_scripts_restore_in_locked_mode_before_they_build()
    {
        foreach (var (script, restore) in new[] { ("build.sh", "dotnet restore lib/CamNotebooks.Book --locked-mode"), ("test.sh", "dotnet restore CamNotebooks.sln --locked-mode") })
        {
            string[] lines = File.ReadAllLines(Path.Combine(Repository.Root, script));
            int restoreLine = Array.IndexOf(lines, restore);
            Assert.True(restoreLine >= 0, $"{script} does not run `{restore}`");
            Assert.All(lines.Skip(restoreLine + 1).Where(l => l.StartsWith("dotnet build") || l.StartsWith("dotnet test")),
                line => Assert.Contains("--no-restore", line));
        }
    }

    [Fact]
    public void The_model_package_is_data_downloaded_outside_the_dependency_graph()
    {
        var project = XDocument.Load(Path.Combine(Repository.Root, "lib/CamNotebooks/CamNotebooks.csproj"));
        var download = Assert.Single(project.Descendants("PackageDownload"));
        Assert.Equal("Microsoft.ML.DnnImageFeaturizer.ResNet18", download.Attribute("Include")?.Value);
        Assert.Equal("[0.23.1]", download.Attribute("Version")?.Value);
        Assert.DoesNotContain(project.Descendants("PackageReference"), r => r.Attribute("Include")!.Value.StartsWith("Microsoft.ML", StringComparison.Ordinal));
        // What the library's restore holds is only what it uses: no ML.NET, no ONNX Runtime.
        Assert.DoesNotContain(Locked("lib/CamNotebooks/CamNotebooks.csproj").Keys, name => name.StartsWith("Microsoft.ML", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Every_project_that_loads_the_library_resolves_the_same_version_of_each_package_the_library_uses()
    {
        var library = Locked("lib/CamNotebooks/CamNotebooks.csproj");
        var users = Projects.Where(p => File.ReadAllText(Path.Combine(Repository.Root, p)).Contains("CamNotebooks\\CamNotebooks.csproj\" />"));
        Assert.Contains("tests/CamNotebooks.Consumer/CamNotebooks.Consumer.csproj", users);
        foreach (string project in users)
        {
            var locked = Locked(project);
            foreach (var (package, version) in library)
                if (locked.TryGetValue(package, out var theirs))
                    Assert.True(version == theirs, $"{project} resolves {package} {theirs}, the library {version}");
        }
    }

    [Fact]
    public void A_program_that_references_the_library_as_a_project_loads_the_real_model()
    {
        string photo = Path.Combine(Repository.Root, "data/pets/images/Abyssinian_101.jpg");
        var outcome = ProcessRunner.Run("dotnet", ["exec", Repository.ConsumerAssembly, photo], Path.GetTempPath(), TimeSpan.FromMinutes(3));
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("Pretrained ResNet (Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1)", outcome.StandardOutput);
        Assert.Contains("features [1, 512, 7, 7]", outcome.StandardOutput);
        Assert.Equal("", outcome.StandardError);
    }

    [Fact]
    public void A_version_conflict_between_a_library_and_its_consumer_fails_the_build()
    {
        // The fault of issue 20 in miniature: a library compiled against Google.Protobuf 3.30.2 (seen only by its own,
        // private restore) and a program that ships 3.29.3. Under the repository's Directory.Build.props the conflict is
        // an error; with MSBuild's warnings left as warnings the same projects build and print MSB3277.
        string root = Path.Combine(Path.GetTempPath(), "camnb-conflict-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "Lib"));
            Directory.CreateDirectory(Path.Combine(root, "App"));
            File.WriteAllText(Path.Combine(root, "Directory.Build.props"),
                $"<Project><Import Project=\"{Path.Combine(Repository.Root, "Directory.Build.props")}\" /></Project>");
            File.WriteAllText(Path.Combine(root, "Lib/Lib.csproj"), """
                <Project Sdk="Microsoft.NET.Sdk">
                  <ItemGroup><PackageReference Include="Google.Protobuf" Version="3.30.2" PrivateAssets="all" /></ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(root, "Lib/Message.cs"),
                "namespace Lib; public static class Message { public static int Length(string s) => Google.Protobuf.ByteString.CopyFromUtf8(s).Length; }");
            File.WriteAllText(Path.Combine(root, "App/App.csproj"), """
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><OutputType>Exe</OutputType></PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Google.Protobuf" Version="3.29.3" />
                    <ProjectReference Include="../Lib/Lib.csproj" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(root, "App/Program.cs"), "System.Console.WriteLine(Lib.Message.Length(\"hi\"));");

            var strict = ProcessRunner.Run("dotnet", ["build", "App/App.csproj"], root, TimeSpan.FromMinutes(4));
            Assert.True(strict.ExitCode != 0, strict.ToString());
            Assert.Contains("error MSB3277", strict.StandardOutput);
            Assert.Contains("Google.Protobuf", strict.StandardOutput);

            var lenient = ProcessRunner.Run("dotnet", ["build", "App/App.csproj", "--no-restore", "-p:MSBuildTreatWarningsAsErrors=false"], root, TimeSpan.FromMinutes(4));
            Assert.True(lenient.ExitCode == 0, lenient.ToString());
            Assert.Contains("warning MSB3277", lenient.StandardOutput);
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}
