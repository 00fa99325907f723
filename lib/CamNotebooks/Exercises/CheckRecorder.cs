using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using static TorchSharp.torch;
using Module = TorchSharp.torch.nn.Module;

namespace CamNotebooks.Exercises;

/// <summary>Collects a check's findings and runs the learner's code so that no exception of theirs escapes.</summary>
internal sealed class CheckRecorder
{
    /// <summary>Checks share one model; running two at once (parallel tests) would let one's hooks fire in the other's passes.</summary>
    private static readonly object Gate = new();

    private readonly List<CheckFinding> _findings = [];

    /// <summary>
    /// Runs a check's <paramref name="body"/> under the gate and a dispose scope: an exception that escapes it becomes a finding,
    /// and autograd's switches are put back. A null answer is bad input: it throws.
    /// </summary>
    public static CheckResult Run(string exercise, IReadOnlyList<string> plan, object answer, Action<CheckRecorder> body,
        [CallerArgumentExpression(nameof(answer))] string? answerName = null)
    {
        ArgumentNullException.ThrowIfNull(answer, answerName);
        var recorder = new CheckRecorder();
        var switches = AutogradSwitches.Current;
        lock (Gate)
        {
            try
            {
                using var scope = NewDisposeScope();
                body(recorder);
            }
            catch (Exception e)
            {
                recorder.RecordException("the rest of the check", e,
                    "The check stopped at this exception, raised by something your code left behind (a tensor it disposed, a hook still firing...).");
            }
            finally { recorder.RestoreAutograd(switches); }
        }
        return new(exercise, recorder._findings.ToList(), plan);
    }

    /// <summary>Records whether hooks the learner's code registered on <paramref name="model"/> are gone, removing any left.</summary>
    public void ExpectNoLeftoverHooks(Module model, Dictionary<Module, HashSet<string>> before, string criterion, string hint)
    {
        var leftOn = HookRegistry.Added(model, before, remove: true);
        if (leftOn.Count == 0) Pass(criterion);
        else Fail(criterion, FindingCodes.HookNotRemoved, $"{leftOn.Count} hook(s) still registered on {string.Join(", ", leftOn.Distinct())} (the check removed them for you)", hint);
    }

    public bool TryStored(ExerciseHook hook, string criterion, out Tensor? stored) =>
        TryLearner(criterion, () => hook.Stored, out stored, "Reading Stored threw: the getter should just return the tensor you kept.");

    /// <summary>Runs the learner's hook factory; false (recorded) when it throws or returns null.</summary>
    public bool TryCreateHook(string criterion, Func<ExerciseHook> create, string whenFailing, [NotNullWhen(true)] out ExerciseHook? hook)
    {
        if (!TryLearner(criterion, create, out hook, whenFailing)) return false;
        if (hook is not null) return true;
        Fail(criterion, FindingCodes.NoResult, "the factory returned null", "Return the hook object you created.");
        return false;
    }

    public bool Failed => _findings.Any(f => !f.Passed);

    public IReadOnlyList<CheckFinding> Findings => _findings;

    public void Pass(string criterion, string detail = "") => _findings.Add(new(criterion, true, CheckFinding.OkCode, detail, null));

    public void Fail(string criterion, string code, string detail, string hint) => _findings.Add(new(criterion, false, code, detail, hint));

    public void Add(CheckFinding finding) => _findings.Add(finding);

    /// <summary>
    /// Runs the learner's code; false when it threw. NotImplementedException becomes "not yet implemented", any other exception a
    /// finding with its type and message, unless <paramref name="explain"/> (which must not throw) names it as a known mistake.
    /// </summary>
    public bool TryLearner<T>(string criterion, Func<T> action, out T value, string whenFailing, Func<Exception, CheckFinding?>? explain = null)
    {
        var switches = AutogradSwitches.Current;
        value = default!;
        try { value = action(); return true; }
        catch (Exception e) { if (explain?.Invoke(Unwrap(e)) is { } known) Add(known); else RecordException(criterion, e, whenFailing); return false; }
        finally { RestoreAutograd(switches); }
    }

    /// <summary>Puts autograd's switches back (left changed, they change every later cell); reported once per kind.</summary>
    public void RestoreAutograd(AutogradSwitches expected)
    {
        var found = AutogradSwitches.Current;
        if (found == expected) return;
        expected.Restore();
        var (code, criterion, detail, hint) = found.InferenceMode != expected.InferenceMode
            ? (FindingCodes.InferenceModeChanged, "leaves inference mode as it was", found.InferenceMode
                    ? "your code left inference mode switched on (the check switched it off)"
                    : "your code switched inference mode off inside an inference_mode block (the check switched it back)",
                "inference_mode() returns a guard that ends inference mode when it is disposed: create it with `using`, " +
                "so it ends with its block. While it is on, no tensor can take part in a backward pass.")
            : (FindingCodes.GradModeChanged, "leaves autograd as it was", expected.GradEnabled
                    ? "your code left autograd switched off (the check switched it back on)"
                    : "your code switched autograd on inside a no_grad block (the check switched it back)",
                "no_grad() returns a guard that switches gradients back on when it is disposed: create it with `using`, " +
                "so it ends with its block.");
        if (!_findings.Any(f => f.Code == code)) Fail(criterion, code, detail, hint);
    }

    /// <summary>Same for code that returns nothing.</summary>
    public bool TryLearner(string criterion, Action action, string whenFailing) =>
        TryLearner(criterion, () => { action(); return true; }, out _, whenFailing);

    public void RecordException(string criterion, Exception e, string whenFailing)
    {
        var inner = Unwrap(e);
        if (inner is NotImplementedException && !(inner.Message.Contains("incorrect number of gradients") || inner.Message.Contains("gradient different")))
        {
            Fail(criterion, FindingCodes.NotImplemented, "not yet implemented (the code still throws NotImplementedException)",
                "Replace the throw statement with your implementation, run that cell again, then run this check.");
            return;
        }
        if (IsDisposedTensor(inner))
            Fail(criterion, FindingCodes.DisposedTensor, $"your code used a tensor that was already freed ({inner.GetType().Name}: {FirstLine(inner.Message)})", DisposedHint);
        else Fail(criterion, FindingCodes.Exception, $"your code threw {inner.GetType().Name}: {FirstLine(inner.Message)}", whenFailing);
    }

    private const string DisposedHint =
        "The model frees each layer's output as soon as the next layer has used it, so a tensor your hook kept as it was is gone " +
        "by the time you read it. Keep a tensor of your own in the hook: a detached copy (detach().clone()) for its values, or, " +
        "if you differentiate with respect to it (autograd.grad), a new handle that stays in the graph (alias()).";

    /// <summary>TorchSharp's messages for a disposed tensor ("Tensor invalid -- empty handle") or an ObjectDisposedException.</summary>
    private static bool IsDisposedTensor(Exception e) =>
        e is ObjectDisposedException || e.Message.Contains("empty handle", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("Tensor invalid", StringComparison.OrdinalIgnoreCase);

    private static Exception Unwrap(Exception e)
    {
        while (e is TargetInvocationException or AggregateException && e.InnerException is not null) e = e.InnerException!;
        return e;
    }

    private static string FirstLine(string message)
    {
        var line = message.Split('\n')[0].Trim();
        return line.Length > 300 ? line[..300] + "…" : line;
    }
}

/// <summary>Autograd's two global switches (per thread): grad mode and inference mode.</summary>
internal readonly record struct AutogradSwitches(bool GradEnabled, bool InferenceMode)
{
    /// <summary>Guards that put inference mode back; never disposed, since disposing one would bring back the learner's state.</summary>
    private static readonly List<IDisposable> Kept = [];

    public static AutogradSwitches Current => new(TorchSharp.torch.is_grad_enabled(), TorchSharp.torch.is_inference_mode_enabled());

    /// <summary>Switches both back. A guard left undisposed cannot be undone from outside, so a new guard overrides it.</summary>
    public void Restore()
    {
        if (TorchSharp.torch.is_inference_mode_enabled() != InferenceMode)
            lock (Kept) Kept.Add(TorchSharp.torch.inference_mode(InferenceMode));
        // The returned guard is deliberately not disposed: disposing it would switch the mode back to the learner's.
        if (TorchSharp.torch.is_grad_enabled() != GradEnabled) _ = TorchSharp.torch.set_grad_enabled(GradEnabled);
    }
}
