namespace CamNotebooks.Data;

/// <summary>An array read from an IDX file: its dimensions and its bytes in row-major order.</summary>
/// <param name="Shape">Dimension sizes, outermost first (e.g. [N, 28, 28] for images, [N] for labels).</param>
/// <param name="Data">The elements, row-major.</param>
public sealed record IdxArray(IReadOnlyList<int> Shape, byte[] Data);
