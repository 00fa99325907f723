using static TorchSharp.torch;

namespace CamNotebooks.Exercises;

/// <summary>
/// The base class of the hooks you write in the exercises: something that watches one layer, keeps the latest tensor it
/// captured in <see cref="Stored"/>, and unregisters itself in <see cref="Dispose"/>. The library's own
/// <c>CamNotebooks.Hooks.Hook</c> and <c>BackwardHook</c> are the reference the checks compare yours with.
/// </summary>
public abstract class ExerciseHook : IDisposable
{
    /// <summary>The tensor captured by the latest pass; null before the first one.</summary>
    public virtual Tensor? Stored { get; protected set; }

    /// <summary>Unregisters the hook from its layer (and may release <see cref="Stored"/>).</summary>
    public abstract void Dispose();
}
