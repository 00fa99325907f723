namespace CamNotebooks.Data;

/// <summary>A train/validation split of the pets sample.</summary>
/// <param name="Train">Training photos, ordered by file name.</param>
/// <param name="Validation">Validation photos, ordered by file name.</param>
public sealed record PetSplit(IReadOnlyList<PetImage> Train, IReadOnlyList<PetImage> Validation);
