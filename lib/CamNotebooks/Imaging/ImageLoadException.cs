namespace CamNotebooks.Imaging;

/// <summary>
/// An image could not be loaded: the file is missing, empty, not an image, truncated or corrupt, or declares a size too
/// large to decode safely. The message names the source and what was wrong.
/// </summary>
public sealed class ImageLoadException : Exception
{
    /// <summary>Creates the exception for <paramref name="source"/> (a file path or a caller-given name).</summary>
    /// <param name="source">The file path, or the name the caller gave to in-memory data.</param>
    /// <param name="problem">What was wrong, in a sentence.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public ImageLoadException(string source, string problem, Exception? inner = null)
        : base($"Cannot load image '{source}': {problem}", inner)
    {
        ImageSource = source;
        Problem = problem;
    }

    /// <summary>The file path, or the name the caller gave to in-memory data.</summary>
    public string ImageSource { get; }

    /// <summary>What was wrong, without the source name.</summary>
    public string Problem { get; }
}
