namespace CamNotebooks.Setup;

/// <summary>
/// Thrown when TorchSharp's native library cannot be made loadable on this machine. The message names the cause
/// and the manual remedy.
/// </summary>
public sealed class NativeSetupException : Exception
{
    /// <summary>Creates the exception with a message that says what went wrong and what to do.</summary>
    public NativeSetupException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public NativeSetupException(string message, Exception inner) : base(message, inner) { }
}
