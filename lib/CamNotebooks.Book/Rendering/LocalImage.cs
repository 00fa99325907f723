namespace CamNotebooks.Book.Rendering;

/// <summary>Embeds images that notebooks reference by relative path, so pages need no file beside them.</summary>
public static class LocalImage
{
    private static readonly Dictionary<string, string> MimeTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = "image/png", [".jpg"] = "image/jpeg", [".jpeg"] = "image/jpeg", [".gif"] = "image/gif",
        [".webp"] = "image/webp", [".svg"] = "image/svg+xml",
    };

    /// <summary>A data: URI of the image at <paramref name="url"/> relative to <paramref name="folder"/>; null when it is not a local image file.</summary>
    public static string? TryDataUri(string folder, string url)
    {
        if (url.Length == 0 || url.StartsWith("data:", StringComparison.OrdinalIgnoreCase) || url.Contains("://", StringComparison.Ordinal)) return null;
        string relative = Uri.UnescapeDataString(url.Split('?', '#')[0]);
        if (!MimeTypes.TryGetValue(Path.GetExtension(relative), out string? mime)) return null;
        string path = Path.GetFullPath(Path.Combine(folder, relative));
        return File.Exists(path) ? $"data:{mime};base64,{Convert.ToBase64String(File.ReadAllBytes(path))}" : null;
    }
}
