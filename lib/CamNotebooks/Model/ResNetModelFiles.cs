namespace CamNotebooks.Model;

/// <summary>
/// Where the two ONNX files of the NuGet package <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> 0.23.1 are on this machine:
/// <c>ResNet18Onnx/ResNet18.onnx</c> (the network) and <c>ResNetPrepOnnx/ResNetPreprocess.onnx</c> (its input normalisation).
/// </summary>
/// <param name="BodyPath">Full path of <c>ResNet18.onnx</c>.</param>
/// <param name="PreprocessPath">Full path of <c>ResNetPreprocess.onnx</c>.</param>
public sealed record ResNetModelFiles(string BodyPath, string PreprocessPath)
{
    /// <summary>Environment variable that points at a folder holding the two files (overrides the NuGet package folder).</summary>
    public const string DirectoryVariable = "CAMNOTEBOOKS_RESNET18_DIR";

    /// <summary>The NuGet package that ships the files.</summary>
    public const string PackageId = "Microsoft.ML.DnnImageFeaturizer.ResNet18";

    /// <summary>The package version whose files the port was checked against.</summary>
    public const string PackageVersion = "0.23.1";

    /// <summary>File name of the network.</summary>
    public const string BodyFileName = "ResNet18.onnx";

    /// <summary>File name of the preprocessing graph.</summary>
    public const string PreprocessFileName = "ResNetPreprocess.onnx";

    /// <summary>
    /// Finds the files: in <paramref name="directory"/> if given, else in the folder named by
    /// <see cref="DirectoryVariable"/>, else in the NuGet global packages folder (<c>NUGET_PACKAGES</c> or
    /// <c>~/.nuget/packages</c>) under <c>microsoft.ml.dnnimagefeaturizer.resnet18/0.23.1/tools/DnnImageModels/</c>.
    /// A folder may hold the package layout (<c>ResNet18Onnx/</c>, <c>ResNetPrepOnnx/</c>) or the two files directly.
    /// </summary>
    /// <exception cref="PretrainedModelException">A file is not there; the message names the paths looked at.</exception>
    public static ResNetModelFiles Locate(string? directory = null)
    {
        var (folder, origin) = ChooseFolder(directory);
        var body = FindIn(folder, "ResNet18Onnx", BodyFileName);
        var preprocess = FindIn(folder, "ResNetPrepOnnx", PreprocessFileName);
        if (body is null || preprocess is null)
        {
            var missing = body is null ? BodyFileName : PreprocessFileName;
            throw new PretrainedModelException(
                $"The pretrained ResNet file {missing} was not found in {folder} ({origin}); looked at " +
                $"{Path.Combine(folder, body is null ? "ResNet18Onnx" : "ResNetPrepOnnx", missing)} and {Path.Combine(folder, missing)}. " +
                $"Run the setup command / `dotnet restore` (the library references the NuGet package {PackageId} {PackageVersion}, " +
                $"which brings the files), or set {DirectoryVariable} to a folder that holds {BodyFileName} and {PreprocessFileName}.");
        }
        return new ResNetModelFiles(body, preprocess);
    }

    /// <summary>The folder the package files are expected in when nothing else is configured.</summary>
    public static string DefaultPackageFolder()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrWhiteSpace(packages))
            packages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(packages, PackageId.ToLowerInvariant(), PackageVersion, "tools", "DnnImageModels");
    }

    private static (string Folder, string Origin) ChooseFolder(string? directory)
    {
        if (!string.IsNullOrWhiteSpace(directory)) return (Path.GetFullPath(directory), "the folder passed in");
        var fromEnvironment = Environment.GetEnvironmentVariable(DirectoryVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return (Path.GetFullPath(fromEnvironment), $"from {DirectoryVariable}");
        return (DefaultPackageFolder(), "the NuGet package folder");
    }

    private static string? FindIn(string folder, string packageSubfolder, string fileName)
    {
        var inPackageLayout = Path.Combine(folder, packageSubfolder, fileName);
        if (File.Exists(inPackageLayout)) return inPackageLayout;
        var direct = Path.Combine(folder, fileName);
        return File.Exists(direct) ? direct : null;
    }
}
