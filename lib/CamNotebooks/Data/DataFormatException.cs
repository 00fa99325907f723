namespace CamNotebooks.Data;

/// <summary>A data file (pets annotations, Fashion-MNIST IDX file) is missing or malformed; the message says which and where.</summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="file">The file at fault.</param>
    /// <param name="problem">What was wrong, in a sentence.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public DataFormatException(string file, string problem, Exception? inner = null)
        : base($"Data file '{file}': {problem}", inner)
    {
        FilePath = file;
    }

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }
}
