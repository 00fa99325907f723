using System.Collections.Immutable;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace CamNotebooks.Exercises;

/// <summary>
/// A custom autograd function, exactly like TorchSharp's <see cref="SingleTensorFunction{T}"/> (write
/// <see cref="Forward"/> and <see cref="Backward"/> as you would write forward and backward there), except that a
/// mistake in <see cref="Backward"/> is reported instead of ending the process.
/// </summary>
/// <remarks>
/// <para>Autograd's native code calls <c>backward</c>, and an exception cannot travel back out through it: one thrown in a plain
/// SingleTensorFunction's backward (even TorchSharp's "returned an incorrect number of gradients") ends the kernel. Here the
/// gradient is passed on unchanged instead; the problem goes to standard error and <see cref="GuardedFunctionErrors"/>.</para>
/// <para>Call <c>YourFunction.apply(tensor, other arguments...)</c>; Backward returns one entry per argument of apply (null for
/// those that need no gradient).</para>
/// </remarks>
/// <typeparam name="T">Your class itself (<c>class Tap : GuardedFunction&lt;Tap&gt;</c>).</typeparam>
public abstract class GuardedFunction<T> : SingleTensorFunction<T> where T : GuardedFunction<T>, new()
{
    private const string ArgumentCountKey = "GuardedFunction.argumentCount";

    /// <summary>The forward pass: <paramref name="inputs"/> are the arguments given to <c>apply</c>.</summary>
    protected abstract Tensor Forward(AutogradContext ctx, object[] inputs);

    /// <summary>The backward pass: receives dL/d(output) and returns one gradient per argument of <c>apply</c>.</summary>
    protected abstract List<Tensor> Backward(AutogradContext ctx, Tensor gradient);

    /// <inheritdoc />
    public sealed override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        ctx.save_data(ArgumentCountKey, vars.Length);
        return Forward(ctx, vars);
    }

    /// <inheritdoc />
    public sealed override List<Tensor> backward(AutogradContext ctx, Tensor grad_output)
    {
        int count = (int)ctx.get_data(ArgumentCountKey);
        GuardedFunctionErrors.CountBackward();
        try
        {
            var gradients = Backward(ctx, grad_output);
            if (gradients is not null && gradients.Count == count) return gradients;
            GuardedFunctionErrors.Report(Name, new InvalidOperationException(
                $"Backward returned {(gradients is null ? "null" : $"{gradients.Count} gradient(s)")}, but apply was given {count} argument(s): " +
                "return one entry per argument (null for those that need no gradient)."));
        }
        catch (Exception e)
        {
            GuardedFunctionErrors.Report(Name, e);
        }
        return [grad_output, .. Enumerable.Repeat<Tensor>(null!, count - 1)];
    }
}

/// <summary>The problems <see cref="GuardedFunction{T}"/> caught in backward passes, oldest first.</summary>
public static class GuardedFunctionErrors
{
    private static ImmutableList<Exception> _errors = [];

    /// <summary>Returns and forgets every problem reported so far.</summary>
    public static IReadOnlyList<Exception> TakeAll() => Interlocked.Exchange(ref _errors, []);

    private static long _backwardCalls;

    /// <summary>How many times a <see cref="GuardedFunction{T}"/>'s backward ran in this process (a check sees whether yours ran).</summary>
    internal static long BackwardCalls => Interlocked.Read(ref _backwardCalls);

    internal static void CountBackward() => Interlocked.Increment(ref _backwardCalls);

    internal static void Report(string function, Exception e)
    {
        ImmutableInterlocked.Update(ref _errors, errors => errors.Add(e));
        Console.Error.WriteLine($"{function}.Backward failed ({e.GetType().Name}: {e.Message}); the gradient was passed on unchanged.");
    }
}
