using CamNotebooks.Imaging;
using static TorchSharp.torch;

namespace CamNotebooks.Data;

/// <summary>One photo of the Oxford-IIIT Pet sample with its label and annotations.</summary>
/// <param name="FileName">The file name, e.g. <c>Bengal_109.jpg</c>.</param>
/// <param name="FilePath">Full path of the file.</param>
/// <param name="Breed">The breed, from the file name (e.g. <c>Bengal</c>, <c>american_bulldog</c>).</param>
/// <param name="Label">Index into <see cref="PetsDataset.ClassNames"/>: 0 dog, 1 cat.</param>
/// <param name="Width">Width in pixels of the stored file.</param>
/// <param name="Height">Height in pixels of the stored file.</param>
/// <param name="HeadBox">The head bounding box, in pixels of the stored file.</param>
/// <param name="Outline">The body outline, in pixels of the stored file.</param>
public sealed record PetImage(string FileName, string FilePath, string Breed, int Label, int Width, int Height,
    HeadBox HeadBox, BodyOutline Outline)
{
    /// <summary>Whether the photo shows a cat (the chapter's <c>is_cat</c>).</summary>
    public bool IsCat => Label == PetsDataset.CatLabel;

    /// <summary><c>"dog"</c> or <c>"cat"</c>.</summary>
    public string ClassName => PetsDataset.ClassNames[Label];

    /// <summary>Loads the photo as an RGB float tensor [3, H, W], values 0..255 (see <see cref="ImageLoader"/>).</summary>
    public Tensor Load(ImageResize? resize = null) => ImageLoader.Load(FilePath, resize);

    /// <inheritdoc />
    public override string ToString() => $"{FileName} ({ClassName}, {Breed}, {Width}x{Height})";
}
