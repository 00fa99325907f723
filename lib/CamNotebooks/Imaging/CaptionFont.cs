using SkiaSharp;

namespace CamNotebooks.Imaging;

/// <summary>
/// Finds a typeface for captions. Needed because the Linux SkiaSharp build used here (NativeAssets.Linux.NoDependencies)
/// has no font manager: its default typeface has no glyphs, so text would silently draw nothing. We therefore load a
/// font file from the usual places on Linux, Windows and macOS.
/// </summary>
public static class CaptionFont
{
    private static readonly Lock Gate = new();
    private static SKTypeface? _cached;
    private static string? _file;

    /// <summary>Font files tried in order when the platform's default typeface has no glyphs.</summary>
    public static IReadOnlyList<string> Candidates { get; } =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf",
        "/System/Library/Fonts/Supplemental/Arial.ttf",
        "/Library/Fonts/Arial.ttf",
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.Fonts), "segoeui.ttf"),
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.Fonts), "arial.ttf"),
    ];

    /// <summary>
    /// A font file to use instead of searching (set it before the first caption is drawn, e.g. when fonts live in an
    /// unusual place). Null to search.
    /// </summary>
    public static string? File
    {
        get { lock (Gate) return _file; }
        set { lock (Gate) { _file = value; _cached = null; } }
    }

    /// <summary>The typeface for captions: <see cref="File"/> if set, else the default one if it has glyphs, else the first candidate file that loads, else any .ttf under /usr/share/fonts.</summary>
    /// <exception cref="InvalidOperationException">No usable font was found; the message says how to provide one.</exception>
    public static SKTypeface Typeface
    {
        get
        {
            lock (Gate)
            {
                return _cached ??= Resolve();
            }
        }
    }

    private static SKTypeface Resolve()
    {
        if (_file is not null)
            return LoadFile(_file) ?? throw new InvalidOperationException(
                $"CaptionFont.File is '{_file}', which is not a font file Skia can load.");
        if (SKTypeface.Default.GlyphCount > 0) return SKTypeface.Default;
        foreach (var candidate in Candidates)
            if (LoadFile(candidate) is { } typeface) return typeface;
        if (Directory.Exists("/usr/share/fonts"))
            foreach (var file in Directory.EnumerateFiles("/usr/share/fonts", "*.ttf", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                if (LoadFile(file) is { } typeface) return typeface;
        throw new InvalidOperationException(
            "No font found to draw captions. Install one (Debian/Ubuntu: apt-get install fonts-dejavu-core) or set " +
            "CamNotebooks.Imaging.CaptionFont.File to a .ttf file; or draw the grid without captions.");
    }

    private static SKTypeface? LoadFile(string path)
    {
        if (!System.IO.File.Exists(path)) return null;
        var typeface = SKTypeface.FromFile(path);
        return typeface is { GlyphCount: > 0 } ? typeface : null;
    }
}
