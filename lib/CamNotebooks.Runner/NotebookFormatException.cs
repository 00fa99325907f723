namespace CamNotebooks.Runner;

/// <summary>A notebook file that cannot be run as it is: missing, malformed, or asking for a kernel this runner lacks.</summary>
public sealed class NotebookFormatException(string message) : Exception(message);
