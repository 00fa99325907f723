using System.Diagnostics;
using System.Text.Json;
using CamNotebooks.Heatmaps;
using CamNotebooks.Imaging;
using CamNotebooks.Learning;
using CamNotebooks.Maps;
using CamNotebooks.Model;
using static TorchSharp.torch;

namespace CamNotebooks.Evaluation;

/// <summary>A layer the explorer offers: its dotted name in the classifier and the label a reader sees.</summary>
/// <param name="Name">The dotted name, e.g. <c>body.layer3.0</c>; a stage's last block is offered as the stage (<c>body.layer3</c>, the same output).</param>
/// <param name="Label">What the reader picks, e.g. <c>layer3.0</c> or <c>layer3 (= layer3.1)</c>.</param>
public sealed record ExplorerLayer(string Name, string Label);

/// <summary>A photo of the explorer: its file, true class, the classifier's probabilities and its head box on the 224 x 224 crop.</summary>
/// <param name="FileName">The photo's file name.</param>
/// <param name="Label">True class index.</param>
/// <param name="Probabilities">The classifier's probability of each class.</param>
/// <param name="HeadBox">The head box on the network's crop, in pixels: left, top, right, bottom (exclusive).</param>
public sealed record ExplorerPhoto(string FileName, int Label, IReadOnlyList<double> Probabilities, IReadOnlyList<int> HeadBox);

/// <summary>One map of the explorer: which photo, class, layer and method, its head-box pointing score, its peak and its overlay.</summary>
/// <param name="Photo">Index into <see cref="ExplorerData.Photos"/>.</param>
/// <param name="ClassIndex">The class the map explains.</param>
/// <param name="Layer">The layer's dotted name (<see cref="ExplorerLayer.Name"/>).</param>
/// <param name="Method">The method's name (<see cref="CamMethod.Name"/>).</param>
/// <param name="PointingHead"><see cref="LocalizationMetrics.PointingHit"/> of the map upsampled to 224 x 224 against the head box.</param>
/// <param name="PeakX">Column of the upsampled map's (first) maximum.</param>
/// <param name="PeakY">Row of the upsampled map's (first) maximum.</param>
/// <param name="Jpeg">The map over the photo (<see cref="MapOverlay.Blend"/>, magma, alpha 0.6), JPEG-encoded.</param>
public sealed record ExplorerMap(int Photo, int ClassIndex, string Layer, string Method, double PointingHead, int PeakX, int PeakY, byte[] Jpeg);

/// <summary>A method of the explorer: how long its maps took, or why it was left out.</summary>
/// <param name="Name">The method's name.</param>
/// <param name="Seconds">Time spent on its maps (for a method left out by its cost: on the layer that decided it).</param>
/// <param name="Excluded">Why the method is not in the explorer, or null when it is.</param>
/// <param name="Cost">Its first layer's time in plain forward passes of the same batch (0 when not measured).</param>
public sealed record ExplorerMethod(string Name, double Seconds, string? Excluded, double Cost = 0);

/// <summary>What to compute for the explorer.</summary>
/// <param name="Layers">The layers; null: <see cref="MapExplorer.Layers"/> (every block and stage of the body).</param>
/// <param name="ExcludedMethods">Names of methods to leave out (e.g. one too slow for the build).</param>
/// <param name="MaxCost">The most a method may cost on one layer, in plain forward passes of the same batch: a method whose
/// first layer costs more (Score-CAM runs one forward pass per channel) is left out, with the reason. A ratio, not seconds,
/// so what the page holds does not depend on how busy the machine was; null: no limit.</param>
/// <param name="Quality">JPEG quality of the overlays.</param>
public sealed record ExplorerOptions(IReadOnlyList<ExplorerLayer>? Layers = null, IReadOnlyCollection<string>? ExcludedMethods = null,
    double? MaxCost = 20, int Quality = 70);

/// <summary>Everything the book's "Which layer, which method?" page shows, computed ahead.</summary>
/// <param name="ClassNames">Class names by index.</param>
/// <param name="Photos">The photos.</param>
/// <param name="Layers">The layers, shallow to deep.</param>
/// <param name="Methods">Every method of <see cref="CamMethods.All"/>, with its time or why it was left out.</param>
/// <param name="Maps">One map per photo, class, layer and included method that applies to the layer.</param>
/// <param name="Seconds">Wall time of the whole computation.</param>
public sealed record ExplorerData(IReadOnlyList<string> ClassNames, IReadOnlyList<ExplorerPhoto> Photos, IReadOnlyList<ExplorerLayer> Layers,
    IReadOnlyList<ExplorerMethod> Methods, IReadOnlyList<ExplorerMap> Maps, double Seconds)
{
    /// <summary>The index file <see cref="WriteTo"/> writes.</summary>
    public const string IndexFile = "explorer.json";

    /// <summary>The file name of a map's overlay.</summary>
    public static string ImageFile(ExplorerMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return $"p{map.Photo}-c{map.ClassIndex}-{Slug(map.Layer)}-{Slug(map.Method)}.jpg";
    }

    private static string Slug(string text) =>
        string.Concat(text.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : c == '+' ? 'p' : '_'));

    /// <summary>Writes <see cref="IndexFile"/> (everything but the pictures, which it names) and one JPEG per map into <paramref name="folder"/>.</summary>
    public void WriteTo(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var map in Maps) IO.AtomicFile.WriteAllBytes(Path.Combine(folder, ImageFile(map)), map.Jpeg);
        var index = new
        {
            classNames = ClassNames,
            photos = Photos.Select(p => new { fileName = p.FileName, label = p.Label, probabilities = p.Probabilities, headBox = p.HeadBox }),
            layers = Layers.Select(l => new { name = l.Name, label = l.Label }),
            methods = Methods.Select(m => new { name = m.Name, seconds = Math.Round(m.Seconds, 2), excluded = m.Excluded, cost = Math.Round(m.Cost, 1) }),
            maps = Maps.Select(m => new
            {
                photo = m.Photo, classIndex = m.ClassIndex, layer = m.Layer, method = m.Method, pointingHead = m.PointingHead,
                peak = new[] { m.PeakX, m.PeakY }, image = ImageFile(m), bytes = m.Jpeg.Length,
            }),
            seconds = Math.Round(Seconds, 2),
        };
        IO.AtomicFile.WriteAllText(Path.Combine(folder, IndexFile), JsonSerializer.Serialize(index));
    }
}

/// <summary>
/// Precomputes the book's explorer: for every photo, class, layer (every block and stage of the body) and method of
/// <see cref="CamMethods.All"/>, the map over the photo and its head-box pointing score, as the evaluation computes them
/// (<see cref="ClassifierMaps.ComputeArrays"/>, upsampled as <see cref="ClassifierMaps.ComputeUpsampled"/>, scored by
/// <see cref="LocalizationMetrics.PointingHit"/>).
/// </summary>
public static class MapExplorer
{
    /// <summary>
    /// Every block of the body, shallow to deep; a stage's last block is offered as the stage itself (same output; CAM
    /// applies to <see cref="ClassifierMaps.LastStage"/> by that name).
    /// </summary>
    public static IReadOnlyList<ExplorerLayer> Layers { get; } = ResNetBody.BlocksPerStage
        .SelectMany((blocks, stage) => Enumerable.Range(0, blocks).Select(block => block == blocks - 1
            ? new ExplorerLayer($"body.layer{stage + 1}", $"layer{stage + 1} (= layer{stage + 1}.{block})")
            : new ExplorerLayer($"body.layer{stage + 1}.{block}", $"layer{stage + 1}.{block}")))
        .ToList();

    /// <summary>Computes every map of <paramref name="set"/>'s photos, for each class, at each layer, with each method that fits.</summary>
    /// <param name="model">The trained classifier.</param>
    /// <param name="set">The photos.</param>
    /// <param name="options">Layers, left-out methods, time budget, JPEG quality.</param>
    /// <param name="progress">Called with a line after each method.</param>
    /// <exception cref="ArgumentException">No layers.</exception>
    public static ExplorerData Compute(PetClassifier model, EvaluationSet set, ExplorerOptions? options = null, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(set);
        options ??= new ExplorerOptions();
        var layers = options.Layers ?? Layers;
        if (layers.Count == 0) throw new ArgumentException("Give at least one layer.", nameof(options));
        var total = Stopwatch.StartNew();
        int n = set.Count, classes = PetClassifier.ClassNames.Count;
        int height = (int)set.Inputs.shape[2], width = (int)set.Inputs.shape[3];
        // Each photo once per class: one batch per (method, layer).
        using var scope = NewDisposeScope();
        var inputs = cat(Enumerable.Repeat(set.Inputs, classes).ToArray(), 0);
        int[] classOf = Enumerable.Range(0, n * classes).Select(i => i / n).ToArray();
        var images = model.Decode(set.Inputs);
        using var probabilities = model.Probabilities(set.Inputs);
        var photos = set.Images.Select((image, i) => new ExplorerPhoto(image.FileName, set.Labels[i],
            Enumerable.Range(0, classes).Select(c => Math.Round((double)probabilities[i, c].item<float>(), 4)).ToList(),
            BoundingBox(set.HeadBoxes[i]))).ToList();
        double forward = ForwardSeconds(model, inputs);

        var methods = new List<ExplorerMethod>();
        var maps = new List<ExplorerMap>();
        foreach (var method in CamMethods.All)
        {
            var applicable = layers.Where(l => method.AppliesTo(l.Name)).ToList();
            if (options.ExcludedMethods?.Contains(method.Name) == true)
            {
                methods.Add(new ExplorerMethod(method.Name, 0, "left out of this build by name"));
                continue;
            }
            if (method.ScoresInputs && options.MaxCost is { } limit)
            {
                // Known before running it: one forward pass per channel of the layer (64 to 512 here), far above the limit.
                methods.Add(new ExplorerMethod(method.Name, 0, $"left out: it runs the model once per channel of the layer " +
                    $"(64 to 512 plain forward passes per map), more than the {limit:0} this build allows"));
                continue;
            }
            var watch = Stopwatch.StartNew();
            var found = new List<ExplorerMap>();
            string? excluded = null;
            double cost = 0;
            for (int l = 0; l < applicable.Count; l++)
            {
                var layer = applicable[l];
                var raw = method.ComputeArrays(model, layer.Name, inputs, classOf, chunk: (int)inputs.shape[0]);
                for (int i = 0; i < raw.Length; i++)
                    found.Add(MapOf(raw[i], i % n, classOf[i], layer.Name, method.Name, images[i % n], set.HeadBoxes[i % n], height, width, options.Quality));
                if (l > 0) continue;
                // The first layer shows what the method costs, as a ratio to a plain forward pass (load on the machine cancels out).
                cost = watch.Elapsed.TotalSeconds / forward;
                if (options.MaxCost is { } maxCost && cost > maxCost)
                {
                    excluded = $"left out: one layer of its maps costs about {cost:0} plain forward passes of the photos (maps and pictures included), " +
                               $"more than the {maxCost:0} this build allows";
                    break;
                }
            }
            if (excluded is null) maps.AddRange(found);
            methods.Add(new ExplorerMethod(method.Name, watch.Elapsed.TotalSeconds, excluded, cost));
            progress?.Invoke(excluded is null
                ? $"{method.Name}: {found.Count} maps on {applicable.Count} layer(s) in {watch.Elapsed.TotalSeconds:0.0} s"
                : $"{method.Name}: {excluded}");
        }
        return new ExplorerData(PetClassifier.ClassNames, photos, layers, methods, maps, total.Elapsed.TotalSeconds);
    }

    /// <summary>The time of one plain forward pass of <paramref name="inputs"/> (the best of three, after a warm-up).</summary>
    private static double ForwardSeconds(PetClassifier model, Tensor inputs)
    {
        using var noGrad = no_grad();
        double best = double.MaxValue;
        for (int i = 0; i < 4; i++)
        {
            var watch = Stopwatch.StartNew();
            using (model.call(inputs)) { }
            if (i > 0) best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }
        return Math.Max(best, 1e-6);
    }

    private static ExplorerMap MapOf(float[,] raw, int photo, int classIndex, string layer, string method, Tensor image, bool[,] head,
        int height, int width, int quality)
    {
        using var scope = NewDisposeScope();
        var upsampled = LocalizationBenchmark.Upsample(raw, height, width);
        double pointing = LocalizationMetrics.PointingHit(upsampled, head);
        float best = float.NegativeInfinity;
        int peakX = 0, peakY = 0;
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
            if (upsampled[y, x] > best) (best, peakX, peakY) = (upsampled[y, x], x, y);
        var map = tensor(raw.Cast<float>().ToArray(), [raw.GetLength(0), raw.GetLength(1)]);
        var overlay = MapOverlay.Blend(image, map);
        return new ExplorerMap(photo, classIndex, layer, method, pointing, peakX, peakY, Jpeg.Encode(overlay, quality));
    }

    /// <summary>The smallest box holding every true cell: left, top, right, bottom (exclusive); all zero for an empty mask.</summary>
    internal static int[] BoundingBox(bool[,] mask)
    {
        int left = int.MaxValue, top = int.MaxValue, right = -1, bottom = -1;
        for (int y = 0; y < mask.GetLength(0); y++)
        for (int x = 0; x < mask.GetLength(1); x++)
            if (mask[y, x]) (left, top, right, bottom) = (Math.Min(left, x), Math.Min(top, y), Math.Max(right, x), Math.Max(bottom, y));
        return right < 0 ? [0, 0, 0, 0] : [left, top, right + 1, bottom + 1];
    }
}
