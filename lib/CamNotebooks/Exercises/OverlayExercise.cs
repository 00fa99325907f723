using CamNotebooks.Heatmaps;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace CamNotebooks.Exercises;

/// <summary>Exercise 5, a heatmap over a photo, against <see cref="MapOverlay.Blend"/>; stretching first is fine.</summary>
internal static class OverlayExercise
{
    private const string Title = "Exercise 5: a heatmap over a photo";

    private static readonly string[] Plan =
    [
        "a hand-built non-square 4x6 image with a 2x3 map, the cat photo with its Grad-CAM map, and a 160x224 crop",
        "the map scaled to 0..1 (min-max), stretched bilinearly to the image, coloured, and mixed with the photo by alpha",
        "a picture [3, H, W] of 0..255; the image and map you were given are unchanged",
    ];

    private const string ValuesHint = "Four steps: scale the map to 0..1 (min-max), stretch it to the image (bilinear), colour it, " +
        "then blend it with the photo, alpha being the heatmap's opacity.";

    private const string MinMaxHint = "Min-max scaling sends the map's minimum to 0 and its maximum to 1.";

    public static CheckResult Run(OverlayFunction overlay) => CheckRecorder.Run(Title, Plan, overlay, r =>
    {
        // Hand-built: a 4 x 6 image (not square, so height and width cannot be confused) and a 2 x 3 map with both signs.
        var handImage = (arange(72, dtype: ScalarType.Float32) * 3 + 20).reshape(3, 4, 6);
        var handMap = tensor(new float[] { -1, 0, 1, 2, 3, 5 }).reshape(2, 3);
        var photo = ExerciseData.Photo(ExerciseData.CatPhoto);
        Tensor realMap;
        using (var gradCam = Maps.GradCam.Compute(ExerciseData.Model, "body.layer4", ExerciseData.Batch(ExerciseData.CatPhoto), [1]))
            realMap = gradCam.Maps[0].clone();
        var cases = new (string Name, Tensor Image, Tensor Map, Colormap Colormap, double Alpha)[]
        {
            ("hand-built 4x6 image, 2x3 map, viridis, alpha 0.4", handImage, handMap, Colormap.Viridis, 0.4),
            ("cat photo, Grad-CAM of layer4, magma, alpha 0.6", photo, realMap, Colormap.Magma, 0.6),
            ("cat photo cropped to 160x224, jet, alpha 0.5", photo[.., 32..192, ..].contiguous(), realMap, Colormap.Jet, 0.5),
        };
        foreach (var (name, image, map, colormap, alpha) in cases)
        {
            var (imageBefore, mapBefore) = (image.clone(), map.clone());
            var expected = MapOverlay.Blend(imageBefore, mapBefore, colormap, alpha);
            if (!r.TryLearner(name, () => overlay(image, map, colormap, alpha), out var picture, ValuesHint)) return;
            if (!Judge(r, $"picture for the {name}", picture, expected, imageBefore, mapBefore, colormap, alpha)) return;
            if (!TensorComparison.Untouched(r, $"inputs untouched ({name})", "your function changed the image or the map it was given", (image, imageBefore), (map, mapBefore))) return;
        }
    });

    /// <summary>Records the finding for one picture: a shape named first, then scaling after stretching accepted, then the blend's weights, then the rules.</summary>
    private static bool Judge(CheckRecorder r, string criterion, Tensor? picture, Tensor expected, Tensor image, Tensor map, Colormap colormap, double alpha)
    {
        long height = image.shape[1], width = image.shape[2];
        var given = picture is not null && !picture.IsInvalid ? picture.detach().to(ScalarType.Float32) : null;
        if (given?.dim() == 3 && given.shape[0] == 3 && given.shape[1] == map.shape[0] && given.shape[2] == map.shape[1])
        {
            r.Fail(criterion, FindingCodes.NotUpsampled, $"your picture is {TensorComparison.Shape(given)}, the map's size",
                "The heatmap must be stretched to the image's height and width before it can be laid over it.");
            return false;
        }
        if (given?.dim() == 3 && given.shape[2] == 3 && given.shape[0] == height && given.shape[1] == width)
        {
            r.Fail(criterion, FindingCodes.ChannelsLast, $"your picture is {TensorComparison.Shape(given)}", "Images here are [channels, height, width], like the image you were given.");
            return false;
        }
        bool right = given is not null && Close(given, expected);
        Tensor Coloured(Tensor heat01) => HeatmapMath.Blend(image, heat01, colormap, alpha);
        if (given is not null && !right && Close(given, Coloured(HeatmapMath.Normalize(HeatmapMath.Upsample(map, height, width)))))
        {
            r.Pass(criterion, "matches (you scaled after stretching; the library scales first, both are fine)");
            return true;
        }
        var colours = colormap.Apply(HeatmapMath.Upsample(HeatmapMath.Normalize(map), height, width));
        // A blend of the right two pictures with other weights; the same factor on both is a scaled picture, named by the rules.
        if (given is not null && !right && BlendWeights(given, image, colours) is var (photoWeight, heatWeight)
            && Math.Abs(photoWeight * alpha - heatWeight * (1 - alpha)) > 0.01 * Math.Abs(heatWeight * (1 - alpha)))
        {
            r.Fail(criterion, Math.Abs(photoWeight - alpha) < 0.01 && Math.Abs(heatWeight - (1 - alpha)) < 0.01 ? FindingCodes.AlphaSwapped
                : Math.Abs(photoWeight - 1) < 0.01 ? FindingCodes.ImageNotFaded : FindingCodes.WrongBlend,
                $"your picture is {photoWeight:0.##} × the photo + {heatWeight:0.##} × the heatmap's colours: the heatmap's weight is {heatWeight:0.##}, " +
                $"not alpha = {alpha:0.##}, and the photo's {photoWeight:0.##}",
                "Blending is a weighted average of the photo and the heatmap, and alpha is the heatmap's opacity: its share of the average.");
            return false;
        }
        Tensor Stretched(Tensor m) => HeatmapMath.Upsample(m, height, width);
        Tensor Interpolated(InterpolationMode mode, bool? corners) =>
            Coloured(interpolate(HeatmapMath.Normalize(map)[TensorIndex.None, TensorIndex.None], [height, width], mode: mode, align_corners: corners)[0, 0]);
        KnownMistake[] mistakes =
        [
            new(FindingCodes.NotNormalised, "your heatmap was coloured from the raw map values",
                "A colormap expects 0..1: scale the map first (its minimum to 0, its maximum to 1).", () => Coloured(Stretched(map))),
            new(FindingCodes.WrongNormalisation, "you divided by the maximum without subtracting the minimum", MinMaxHint, () => Coloured(Stretched(map / map.max()))),
            new(FindingCodes.ReluApplied, "you clipped the negative values before scaling",
                "The reference scales the raw map as it is (its minimum becomes 0, negative or not).", () => Coloured(Stretched(HeatmapMath.Normalize(map, reluFirst: true)))),
            new(FindingCodes.WrongInterpolation, "your heatmap is blocky: nearest-neighbour stretching",
                "Stretch with bilinear interpolation, so the heatmap is smooth.", () => Interpolated(InterpolationMode.Nearest, null)),
            new(FindingCodes.WrongInterpolation, "you stretched with align_corners: true",
                "The library (like PyTorch's default and matplotlib) aligns pixel centres: align_corners: false.", () => Interpolated(InterpolationMode.Bilinear, true)),
            new(FindingCodes.WrongInterpolation, "your heatmap was stretched with bicubic interpolation",
                "Stretch with bilinear interpolation, as the library does.", () => Interpolated(InterpolationMode.Bicubic, false)),
            new(FindingCodes.WrongInterpolation, "you coloured the small map and then stretched the colours",
                "Stretching mixes neighbouring values, and a mix of two colours is not the colour of the mixed value: stretch the 0..1 map first, colour it after.",
                () => image * (1 - alpha) + interpolate(colormap.Apply(HeatmapMath.Normalize(map)).unsqueeze(0), [height, width],
                    mode: InterpolationMode.Bilinear, align_corners: false)[0] * alpha),
            new(FindingCodes.WrongNormalisation, "you divided by (max − min) without subtracting the minimum first",
                "Min-max scaling moves the minimum to 0 before it divides by the range.", () => Coloured(Stretched(map / (map.max() - map.min())))),
            new(FindingCodes.NotNormalised, "you coloured the map scaled to 0..255",
                "A colormap takes values 0..1 (its lowest to its highest colour); only images are 0..255.", () => Coloured(Stretched(HeatmapMath.Normalize(map) * 255))),
            new(FindingCodes.ImageNotFaded, "the photo kept its full strength under the heatmap (then clamped to 255)",
                "Blending is a weighted average: if the heatmap gets alpha, what is left for the photo?", () => (image + colours * alpha).clamp(0, 255)),
            new(FindingCodes.ReshapedNotPermuted, "your picture's values are in channels-last order cut into [3, H, W]: reshaped, not permuted",
                "reshape keeps the memory order and only cuts it differently; to move the channel axis use permute.", () => expected.permute(1, 2, 0).reshape(3, height, width)),
            new(FindingCodes.ColormapReversed, "your colours run backwards: the map's highest values got the colour map's first colour",
                "A colour map goes from its first colour at 0 to its last at 1; scaling sends the map's minimum to 0, its maximum to 1.",
                () => Coloured(1 - Stretched(HeatmapMath.Normalize(map)))),
            new(FindingCodes.ChannelsSwapped, "your heatmap's colour channels are in the reverse order (B, G, R)",
                "The colour map gives red, green, blue in that order, like the image's channels; keep them as they come.", () => image * (1 - alpha) + colours.flip(0) * alpha),
        ];
        var hints = new Hints(ValuesHint, Scaled: "The picture is right up to a factor: look for a division or a factor the blend does not have.",
            Transposed: "Stretch to [height, width] (tensors are [channels, height, width]), not [width, height].",
            Inputs: "the image you were given",
            Factors: [new(1.0 / 255, FindingCodes.ScaledValues, "a picture of 0..1",
                "Images and colours here are 0..255, not 0..1.")]);
        return TensorComparison.Compare(r, criterion, picture, expected, hints, mistakes, Close);
    }

    /// <summary>
    /// The weights (photo, heatmap) of the blend that best explains <paramref name="picture"/> (least squares), if it explains it:
    /// null when no blend of these two pictures is close to it.
    /// </summary>
    private static (double Photo, double Heatmap)? BlendWeights(Tensor picture, Tensor image, Tensor colours)
    {
        if (!picture.shape.SequenceEqual(image.shape)) return null;
        using var scope = NewDisposeScope();
        var (p, i, c) = (picture.to(ScalarType.Float64).flatten(), image.to(ScalarType.Float64).flatten(), colours.to(ScalarType.Float64).flatten());
        double ii = i.dot(i).item<double>(), ic = i.dot(c).item<double>(), cc = c.dot(c).item<double>();
        double ip = i.dot(p).item<double>(), cp = c.dot(p).item<double>();
        double determinant = ii * cc - ic * ic;
        if (Math.Abs(determinant) < 1e-9 * ii * cc) return null;
        double a = (ip * cc - cp * ic) / determinant, b = (cp * ii - ip * ic) / determinant;
        return Close(picture, (image * a + colours * b).to(ScalarType.Float32)) ? (a, b) : null;
    }

    /// <summary>
    /// Pictures match when they differ by less than half a level on average and at most 2% of values by more than 2 levels:
    /// a colormap is a step function, so a rounding difference can flip a pixel to the neighbouring colour.
    /// </summary>
    internal static bool Close(Tensor a, Tensor b) => TensorComparison.Close(a, b,
        d => d.mean().item<float>() < 0.5 && (d > 2).to(ScalarType.Float32).mean().item<float>() < 0.02);
}
