using System.Globalization;
using System.Text.Json;

namespace CamNotebooks.Data;

/// <summary>
/// The Oxford-IIIT Pet sample in <c>data/pets</c>: 296 photos (12 cat breeds and 25 dog breeds, 8 each), labelled
/// dog or cat, with head boxes and body outlines scaled to the stored images.
/// </summary>
/// <remarks>
/// Label rule of the dataset: a file name starting with an uppercase letter is a cat, lowercase a dog. Class order
/// follows the chapter's vocabulary for <c>is_cat</c>, <c>[False, True]</c>: index 0 is dog, index 1 is cat, so the
/// head's output 1 is "cat" and CAM for the cat class uses row 1 of its weight.
/// </remarks>
public sealed class PetsDataset
{
    /// <summary>Class names by label index: <c>["dog", "cat"]</c>.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["dog", "cat"];

    /// <summary>Label of dogs (the chapter's <c>is_cat == False</c>).</summary>
    public const int DogLabel = 0;

    /// <summary>Label of cats (the chapter's <c>is_cat == True</c>).</summary>
    public const int CatLabel = 1;

    /// <summary>The default split seed (the chapter's data loaders use seed 21).</summary>
    public const ulong DefaultSplitSeed = 21;

    private readonly Dictionary<string, PetImage> _byName;

    private PetsDataset(string directory, IReadOnlyList<PetImage> images)
    {
        Directory = directory;
        Images = images;
        _byName = images.ToDictionary(i => i.FileName, StringComparer.Ordinal);
        Breeds = images.Select(i => i.Breed).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The dataset folder (holding <c>images/</c>, <c>head_boxes.csv</c>, <c>body_outlines.json</c>).</summary>
    public string Directory { get; }

    /// <summary>All photos, ordered by file name (ordinal).</summary>
    public IReadOnlyList<PetImage> Images { get; }

    /// <summary>The breeds, ordered by name (ordinal: cat breeds, capitalised, come first).</summary>
    public IReadOnlyList<string> Breeds { get; }

    /// <summary>Number of photos.</summary>
    public int Count => Images.Count;

    /// <summary>The photo with this file name (e.g. <c>Bengal_109.jpg</c>).</summary>
    /// <exception cref="KeyNotFoundException">No such photo.</exception>
    public PetImage this[string fileName] => _byName.TryGetValue(fileName, out var image)
        ? image
        : throw new KeyNotFoundException($"No photo named '{fileName}' in {Directory}. Names look like 'Bengal_109.jpg'.");

    /// <summary>Cat (1) when the file name starts with an uppercase letter, dog (0) otherwise.</summary>
    /// <exception cref="ArgumentException">The name is empty or does not start with a letter.</exception>
    public static int LabelOf(string fileName)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        var name = Path.GetFileName(fileName);
        if (name.Length == 0 || !char.IsLetter(name[0]))
            throw new ArgumentException($"'{fileName}' does not start with a letter, so the dataset's rule gives no label.", nameof(fileName));
        return char.IsUpper(name[0]) ? CatLabel : DogLabel;
    }

    /// <summary>The breed part of a file name: everything before the last underscore (<c>Maine_Coon_115.jpg</c> gives <c>Maine_Coon</c>).</summary>
    /// <exception cref="ArgumentException">The name has no underscore.</exception>
    public static string BreedOf(string fileName)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        var name = Path.GetFileNameWithoutExtension(fileName);
        int underscore = name.LastIndexOf('_');
        return underscore > 0
            ? name[..underscore]
            : throw new ArgumentException($"'{fileName}' is not named breed_number.jpg.", nameof(fileName));
    }

    /// <summary>
    /// Loads the sample: <paramref name="directory"/> if given, else the <c>data/pets</c> folder found by
    /// <see cref="DataDirectory.Find"/>. Only annotations are read; photos are decoded when asked for.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder cannot be found.</exception>
    /// <exception cref="DataFormatException">A file is missing or malformed, or a photo has no annotation.</exception>
    public static PetsDataset Load(string? directory = null)
    {
        var root = DataDirectory.Find("pets", directory);
        var imagesDir = Path.Combine(root, "images");
        if (!System.IO.Directory.Exists(imagesDir))
            throw new DataFormatException(imagesDir, "the images folder is missing.");
        var boxes = ReadHeadBoxes(Path.Combine(root, "head_boxes.csv"));
        var outlines = ReadOutlines(Path.Combine(root, "body_outlines.json"));

        var images = new List<PetImage>();
        foreach (var path in System.IO.Directory.GetFiles(imagesDir, "*.jpg").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (!boxes.TryGetValue(name, out var row))
                throw new DataFormatException(Path.Combine(root, "head_boxes.csv"), $"no head box for '{name}'.");
            if (!outlines.TryGetValue(name, out var outline))
                throw new DataFormatException(Path.Combine(root, "body_outlines.json"), $"no outline for '{name}'.");
            int label = LabelOf(name);
            if (row.Species != ClassNames[label])
                throw new DataFormatException(Path.Combine(root, "head_boxes.csv"),
                    $"'{name}' is a {ClassNames[label]} by the file-name rule but listed as '{row.Species}'.");
            images.Add(new PetImage(name, path, BreedOf(name), label, row.Box.ImageWidth, row.Box.ImageHeight, row.Box,
                BodyOutline.FromNormalised(outline, row.Box.ImageWidth, row.Box.ImageHeight)));
        }
        if (images.Count == 0) throw new DataFormatException(imagesDir, "contains no .jpg photos.");
        return new PetsDataset(root, images);
    }

    /// <summary>
    /// A deterministic split stratified by breed: within each breed (photos ordered by file name) a seeded shuffle
    /// picks <paramref name="validationPerBreed"/> photos for validation; the rest train. With 8 photos per breed and
    /// the default 2, that is 74 validation photos (24 cats, 50 dogs) and 222 training ones. The generator is
    /// SplitMix64, written out here, so the split is the same on every machine and .NET version.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The count is below 1, or would leave a breed with no training photo.</exception>
    public PetSplit Split(int validationPerBreed = 2, ulong seed = DefaultSplitSeed)
    {
        int smallest = Images.GroupBy(i => i.Breed).Min(g => g.Count());
        if (validationPerBreed < 1 || validationPerBreed >= smallest)
            throw new ArgumentOutOfRangeException(nameof(validationPerBreed), validationPerBreed,
                $"Must be at least 1 and below {smallest}, the size of the smallest breed.");
        var random = new SplitMix64(seed);
        var validation = new List<PetImage>();
        foreach (var breed in Breeds)
        {
            var photos = Images.Where(i => i.Breed == breed).ToArray(); // already ordered by file name
            for (int i = photos.Length - 1; i > 0; i--)
            {
                int j = random.NextInt(i + 1);
                (photos[i], photos[j]) = (photos[j], photos[i]);
            }
            validation.AddRange(photos.Take(validationPerBreed));
        }
        var chosen = validation.Select(v => v.FileName).ToHashSet(StringComparer.Ordinal);
        return new PetSplit(
            Images.Where(i => !chosen.Contains(i.FileName)).ToList(),
            validation.OrderBy(v => v.FileName, StringComparer.Ordinal).ToList());
    }

    private static Dictionary<string, (string Species, HeadBox Box)> ReadHeadBoxes(string path)
    {
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, $"cannot be read ({e.Message}).", e);
        }
        const string expectedHeader = "image,species,breed,xmin,ymin,xmax,ymax,image_width,image_height";
        if (lines.Length == 0 || lines[0].Trim() != expectedHeader)
            throw new DataFormatException(path, $"the first line must be '{expectedHeader}'.");
        var result = new Dictionary<string, (string, HeadBox)>(StringComparer.Ordinal);
        var inv = CultureInfo.InvariantCulture;
        for (int n = 1; n < lines.Length; n++)
        {
            if (string.IsNullOrWhiteSpace(lines[n])) continue;
            var f = lines[n].Split(',');
            try
            {
                if (f.Length != 9) throw new FormatException($"expected 9 fields, found {f.Length}");
                var box = new HeadBox(double.Parse(f[3], inv), double.Parse(f[4], inv), double.Parse(f[5], inv),
                    double.Parse(f[6], inv), int.Parse(f[7], inv), int.Parse(f[8], inv));
                if (!result.TryAdd(f[0], (f[1], box))) throw new FormatException($"'{f[0]}' appears twice");
            }
            catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
            {
                throw new DataFormatException(path, $"line {n + 1} is malformed ({e.Message}).", e);
            }
        }
        return result;
    }

    private static Dictionary<string, (double X, double Y)[]> ReadOutlines(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var raw = JsonSerializer.Deserialize<Dictionary<string, double[][]>>(stream)
                ?? throw new DataFormatException(path, "is empty (null).");
            var result = new Dictionary<string, (double, double)[]>(StringComparer.Ordinal);
            foreach (var (name, points) in raw)
            {
                if (points.Length < 3 || points.Any(p => p.Length != 2))
                    throw new DataFormatException(path, $"the outline of '{name}' must be at least 3 [x, y] pairs.");
                result[name] = points.Select(p => (p[0], p[1])).ToArray();
            }
            return result;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new DataFormatException(path, $"cannot be read as {{ \"file.jpg\": [[x, y], ...] }} ({e.Message}).", e);
        }
    }
}

/// <summary>A train/validation split of the pets sample.</summary>
/// <param name="Train">Training photos, ordered by file name.</param>
/// <param name="Validation">Validation photos, ordered by file name.</param>
public sealed record PetSplit(IReadOnlyList<PetImage> Train, IReadOnlyList<PetImage> Validation);
