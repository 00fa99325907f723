namespace CamNotebooks.Model;

/// <summary>
/// The pretrained ResNet cannot be loaded: a model file is missing, damaged or not the expected graph, or the weight cache
/// cannot be written. The message names the file and says what to do.
/// </summary>
public sealed class PretrainedModelException : Exception
{
    /// <summary>Creates the exception with a message that names the file and the remedy.</summary>
    public PretrainedModelException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public PretrainedModelException(string message, Exception inner) : base(message, inner) { }
}
