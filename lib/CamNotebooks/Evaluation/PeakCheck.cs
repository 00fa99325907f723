using CamNotebooks.Data;
using CamNotebooks.Imaging;
using static TorchSharp.torch;

namespace CamNotebooks.Evaluation;

/// <summary>
/// Does one map's peak land on the animal, at the map's own resolution? The animal is the body outline or the head box
/// (the outlines are coarse and sometimes miss part of the animal), both laid on the map's grid for the centre crop the
/// network saw.
/// </summary>
/// <param name="OnAnimal">The peak cell is inside the outline or the head box.</param>
/// <param name="OnHead">The peak cell is inside the head box.</param>
/// <param name="MassOnAnimal">Share of the map's mass on the animal (0 for an all-zero map).</param>
/// <param name="AnimalArea">Share of the grid the animal covers: what a map that ignored the photo would score.</param>
public sealed record PeakCheck(bool OnAnimal, bool OnHead, double MassOnAnimal, double AnimalArea)
{
    /// <summary>"head", "body" or "off" (the animal).</summary>
    public string Label => !OnAnimal ? "off" : OnHead ? "head" : "body";

    /// <summary>Checks <paramref name="map"/> [h, w] (non-negative, e.g. Grad-CAM after its ReLU) against <paramref name="photo"/>'s annotations.</summary>
    /// <exception cref="ArgumentException">Not one 2-D map.</exception>
    public static PeakCheck Of(PetImage photo, Tensor map)
    {
        ArgumentNullException.ThrowIfNull(photo);
        ArgumentNullException.ThrowIfNull(map);
        if (map.dim() != 2)
            throw new ArgumentException($"Expected one map [h, w], got [{string.Join(", ", map.shape)}]. Pick one with maps[i].", nameof(map));
        using var scope = NewDisposeScope();
        int h = (int)map.shape[0], w = (int)map.shape[1];
        var head = photo.HeadBox.ToMaskTensor(h, w, ImageResizeMode.CenterCrop).view(-1);
        var animal = head.logical_or(photo.Outline.ToMaskTensor(h, w, ImageResizeMode.CenterCrop).view(-1));
        var values = map.detach().cpu().to(ScalarType.Float32).reshape(-1);
        long peak = values.argmax().item<long>();
        bool empty = values.max().item<float>() <= 0; // an all-zero map has no peak
        double mass = empty ? 0 : (values * animal).sum().item<float>() / values.sum().item<float>();
        return new PeakCheck(!empty && animal[peak].item<bool>(), !empty && head[peak].item<bool>(), mass,
            animal.to(ScalarType.Float32).mean().item<float>());
    }
}
