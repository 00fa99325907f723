using System.Text.Json;

namespace CamNotebooks.Book.Rendering;

/// <summary>A photo of the explorer (as the library's <c>ExplorerPhoto</c> wrote it).</summary>
/// <param name="FileName">The photo's file name.</param>
/// <param name="Label">Its true class.</param>
/// <param name="Probabilities">The classifier's probability of each class.</param>
/// <param name="HeadBox">Left, top, right, bottom of the head box on the 224 x 224 crop.</param>
public sealed record ExplorerSitePhoto(string FileName, int Label, IReadOnlyList<double> Probabilities, IReadOnlyList<int> HeadBox);

/// <summary>A map of the explorer: photo, class, layer, method, head-box pointing score, peak and overlay file.</summary>
/// <param name="Photo">Index of the photo.</param>
/// <param name="ClassIndex">The class it explains.</param>
/// <param name="Layer">The layer's dotted name.</param>
/// <param name="Method">The method's name.</param>
/// <param name="PointingHead">Its head-box pointing score (0..1).</param>
/// <param name="PeakX">Column of its maximum on the 224 x 224 crop.</param>
/// <param name="PeakY">Row of its maximum.</param>
/// <param name="Image">The overlay's file name.</param>
public sealed record ExplorerSiteMap(int Photo, int ClassIndex, string Layer, string Method, double PointingHead, int PeakX, int PeakY, string Image);

/// <summary>A method of the explorer, its time, and why it was left out (null when it is in).</summary>
/// <param name="Name">The method's name.</param>
/// <param name="Seconds">Time its maps took at build time.</param>
/// <param name="Excluded">Why it is not in the explorer, or null.</param>
/// <param name="Cost">One layer's cost in plain forward passes.</param>
public sealed record ExplorerSiteMethod(string Name, double Seconds, string? Excluded, double Cost);

/// <summary>A layer: dotted name and the label the reader picks.</summary>
/// <param name="Name">Dotted name, e.g. <c>body.layer3.0</c>.</param>
/// <param name="Label">Label, e.g. <c>layer3.0</c>.</param>
public sealed record ExplorerSiteLayer(string Name, string Label);

/// <summary>
/// The explorer's precomputed data as the book reads it back: explorer.json and the overlay JPEGs beside it, written by the
/// library's <c>ExplorerData.WriteTo</c> in the explorer notebook (the book does not load the library, which needs libtorch).
/// </summary>
public sealed record ExplorerSite(
    string Folder,
    IReadOnlyList<string> ClassNames,
    IReadOnlyList<ExplorerSitePhoto> Photos,
    IReadOnlyList<ExplorerSiteLayer> Layers,
    IReadOnlyList<ExplorerSiteMethod> Methods,
    IReadOnlyList<ExplorerSiteMap> Maps,
    double Seconds)
{
    /// <summary>The index file in the folder.</summary>
    public const string IndexFile = "explorer.json";

    /// <summary>The explorer page's path in the book.</summary>
    public const string PagePath = "explorer.html";

    /// <summary>The folder of the overlays in the book.</summary>
    public const string ImageFolder = "explorer";

    /// <summary>Reads <see cref="IndexFile"/> in <paramref name="folder"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not what the explorer notebook writes, or names a missing picture.</exception>
    public static ExplorerSite Read(string folder)
    {
        string path = Path.Combine(folder, IndexFile);
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            var root = json.RootElement;
            var site = new ExplorerSite(
                Path.GetFullPath(folder),
                root.GetProperty("classNames").EnumerateArray().Select(c => c.GetString()!).ToList(),
                root.GetProperty("photos").EnumerateArray().Select(p => new ExplorerSitePhoto(
                    p.GetProperty("fileName").GetString()!, p.GetProperty("label").GetInt32(),
                    p.GetProperty("probabilities").EnumerateArray().Select(v => v.GetDouble()).ToList(),
                    p.GetProperty("headBox").EnumerateArray().Select(v => v.GetInt32()).ToList())).ToList(),
                root.GetProperty("layers").EnumerateArray().Select(l => new ExplorerSiteLayer(l.GetProperty("name").GetString()!, l.GetProperty("label").GetString()!)).ToList(),
                root.GetProperty("methods").EnumerateArray().Select(m => new ExplorerSiteMethod(m.GetProperty("name").GetString()!,
                    m.GetProperty("seconds").GetDouble(), m.GetProperty("excluded").ValueKind == JsonValueKind.String ? m.GetProperty("excluded").GetString() : null,
                    m.GetProperty("cost").GetDouble())).ToList(),
                root.GetProperty("maps").EnumerateArray().Select(m => new ExplorerSiteMap(m.GetProperty("photo").GetInt32(), m.GetProperty("classIndex").GetInt32(),
                    m.GetProperty("layer").GetString()!, m.GetProperty("method").GetString()!, m.GetProperty("pointingHead").GetDouble(),
                    m.GetProperty("peak")[0].GetInt32(), m.GetProperty("peak")[1].GetInt32(), m.GetProperty("image").GetString()!)).ToList(),
                root.GetProperty("seconds").GetDouble());
            foreach (var map in site.Maps)
                if (map.Image.Contains('/') || map.Image.Contains('\\') || !File.Exists(Path.Combine(folder, map.Image)))
                    throw new InvalidDataException($"{path} names the picture '{map.Image}', which is not in {folder}.");
            return site;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new InvalidDataException($"{path} is not an explorer index as the explorer notebook writes it: {e.Message}", e);
        }
    }

    /// <summary>The overlays, by their path in the book.</summary>
    public IEnumerable<(string Path, byte[] Bytes)> Images() =>
        Maps.Select(m => ($"{ImageFolder}/{m.Image}", File.ReadAllBytes(System.IO.Path.Combine(Folder, m.Image))));
}
