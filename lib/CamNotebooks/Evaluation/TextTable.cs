using System.Globalization;
using System.Text;

namespace CamNotebooks.Evaluation;

/// <summary>A plain-text table with columns padded to their widest cell (first column left-aligned, the rest right-aligned).</summary>
public sealed class TextTable
{
    private readonly string[] _header;
    private readonly List<string[]> _rows = [];

    /// <summary>Creates a table with these column headers.</summary>
    public TextTable(params string[] header)
    {
        ArgumentNullException.ThrowIfNull(header);
        _header = header;
    }

    /// <summary>Adds a row; it must have one cell per column.</summary>
    /// <exception cref="ArgumentException">Wrong number of cells.</exception>
    public TextTable Add(params string[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != _header.Length)
            throw new ArgumentException($"The table has {_header.Length} columns, the row {cells.Length} cells.", nameof(cells));
        _rows.Add(cells);
        return this;
    }

    /// <summary>A number as table text, culture-invariant (default three decimals).</summary>
    public static string Number(double value, string format = "0.000") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>The column headers.</summary>
    public IReadOnlyList<string> Header => _header;

    /// <summary>The rows, as cell texts.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows => _rows;

    /// <summary>The header and rows, one line each, ending with a newline.</summary>
    public override string ToString()
    {
        var widths = _header.Select((h, c) => _rows.Select(r => r[c].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        void Line(string[] cells) =>
            text.AppendLine(string.Join("  ", cells.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
        Line(_header);
        foreach (var row in _rows) Line(row);
        return text.ToString();
    }
}
