using System.Globalization;

namespace CamNotebooks.Data;

/// <summary>
/// The animal's head bounding box from the Oxford-IIIT Pet annotations, scaled to the stored (downscaled) image
/// (see data/pets/README.md). Coordinates may have a decimal part.
/// </summary>
public sealed class HeadBox : ImageRegion
{
    /// <summary>Creates a box; corners in image pixel coordinates.</summary>
    /// <exception cref="ArgumentException">The box is empty or inverted.</exception>
    public HeadBox(double xMin, double yMin, double xMax, double yMax, int imageWidth, int imageHeight)
        : base(imageWidth, imageHeight)
    {
        if (!(xMax > xMin && yMax > yMin))
            throw new ArgumentException($"A head box needs xMin < xMax and yMin < yMax; got ({xMin}, {yMin}) - ({xMax}, {yMax}).");
        (XMin, YMin, XMax, YMax) = (xMin, yMin, xMax, yMax);
    }

    /// <summary>Left edge.</summary>
    public double XMin { get; }

    /// <summary>Top edge.</summary>
    public double YMin { get; }

    /// <summary>Right edge.</summary>
    public double XMax { get; }

    /// <summary>Bottom edge.</summary>
    public double YMax { get; }

    /// <summary>Edges included.</summary>
    public override bool Contains(double x, double y) => x >= XMin && x <= XMax && y >= YMin && y <= YMax;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"head box ({XMin}, {YMin}) - ({XMax}, {YMax}) in a {ImageWidth}x{ImageHeight} image");
}
