using System.Security.Cryptography;

namespace CamNotebooks.Model;

/// <summary>SHA-256 of files, and the hashes of the two files as shipped in the package.</summary>
internal static class FileHashes
{
    /// <summary>SHA-256 of <c>ResNet18.onnx</c> in Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1.</summary>
    public const string PackagedBody = "e2552f19db2dfdb01b3669537b6a0f1b44da38d18279535492ed5dfc2ef1ff8f";

    /// <summary>SHA-256 of <c>ResNetPreprocess.onnx</c> in the same package.</summary>
    public const string PackagedPreprocess = "84bf8def78d0befaa3f6e73745d57d7016c6a192ead76f79686bd438c1047004";

    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    public static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Checks that a model file is byte for byte the packaged one; returns its hash.</summary>
    /// <exception cref="PretrainedModelException">It is not (truncated, damaged, or another model).</exception>
    public static string RequirePackaged(string path, string expected)
    {
        string actual;
        try
        {
            actual = Sha256(path);
        }
        catch (IOException e)
        {
            throw new PretrainedModelException($"Cannot read {path}: {e.Message}. Run the setup command / `dotnet restore`.", e);
        }
        if (actual != expected)
            throw new PretrainedModelException(
                $"{path} is not the file shipped with {ResNetModelFiles.PackageId} {ResNetModelFiles.PackageVersion} " +
                $"({new FileInfo(path).Length} bytes, SHA-256 {actual}; expected SHA-256 {expected}): it is truncated, damaged or a different model. " +
                "Delete the package folder from the NuGet package cache (or fix the folder given / " + ResNetModelFiles.DirectoryVariable + ") and run `dotnet restore`.");
        return actual;
    }
}
