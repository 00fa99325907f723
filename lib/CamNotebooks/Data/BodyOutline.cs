namespace CamNotebooks.Data;

/// <summary>
/// A polygon tracing the animal's outline (derived from the Oxford-IIIT Pet trimaps; coarse but reliable), in image
/// pixel coordinates. The data file stores it normalised to 0..1 of width and height; it is scaled here.
/// </summary>
public sealed class BodyOutline : ImageRegion
{
    private readonly (double X, double Y)[] _points;

    /// <summary>Creates an outline from vertices in pixel coordinates (the polygon closes by itself).</summary>
    /// <exception cref="ArgumentException">Fewer than three vertices.</exception>
    public BodyOutline(IEnumerable<(double X, double Y)> points, int imageWidth, int imageHeight)
        : base(imageWidth, imageHeight)
    {
        ArgumentNullException.ThrowIfNull(points);
        _points = points.ToArray();
        if (_points.Length < 3)
            throw new ArgumentException($"An outline needs at least 3 vertices; got {_points.Length}.", nameof(points));
    }

    /// <summary>Creates an outline from vertices normalised to 0..1 of the image's width and height.</summary>
    public static BodyOutline FromNormalised(IEnumerable<(double X, double Y)> points, int imageWidth, int imageHeight) =>
        new(points.Select(p => (p.X * imageWidth, p.Y * imageHeight)), imageWidth, imageHeight);

    /// <summary>The vertices in pixel coordinates, in order.</summary>
    public IReadOnlyList<(double X, double Y)> Points => _points;

    /// <summary>
    /// Even-odd rule (a horizontal ray from the point crosses the boundary an odd number of times). Points exactly on
    /// an edge may fall either way; with real coordinates that has no practical effect.
    /// </summary>
    public override bool Contains(double x, double y)
    {
        bool inside = false;
        for (int i = 0, j = _points.Length - 1; i < _points.Length; j = i++)
        {
            var (xi, yi) = _points[i];
            var (xj, yj) = _points[j];
            // The edge straddles the ray's height (half-open, so a vertex on the ray counts once) and crosses it to the right.
            if ((yi > y) != (yj > y) && x < xj + (y - yj) * (xi - xj) / (yi - yj))
                inside = !inside;
        }
        return inside;
    }

    /// <summary>Polygon area in square pixels (shoelace formula); useful to check a mask's size.</summary>
    public double Area()
    {
        double twice = 0;
        for (int i = 0, j = _points.Length - 1; i < _points.Length; j = i++)
            twice += _points[j].X * _points[i].Y - _points[i].X * _points[j].Y;
        return Math.Abs(twice) / 2;
    }
}
