using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Exercises;

/// <summary>A change the learner's code left on the model, as a failed criterion (<see cref="ModelSnapshot.Changes"/>).</summary>
internal sealed record ModelChange(string Code, string Criterion, string Detail, string Hint);

/// <summary>
/// What a learner's function could change on its caller's model (parameters, requires_grad, buffers, training flags, hooks,
/// gradients), recorded so a check can say what changed and put it back: the next attempt sees the original model.
/// </summary>
internal sealed class ModelSnapshot : IDisposable
{
    private readonly Module _model;
    private readonly List<(string Name, Tensor Parameter, Tensor Value, bool RequiresGrad, Tensor? Grad)> _parameters = [];
    private readonly List<(string Name, Tensor Buffer, Tensor Value)> _buffers = [];
    private readonly List<(string Name, int Depth, Module Module, bool Training)> _modes = [];
    private readonly Dictionary<Module, HashSet<string>> _hooks;
    private (CheckRecorder Recorder, string Suffix, string Prefix)? _guard;

    private ModelSnapshot(Module model)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        // Copies of detached tensors: autograd records nothing, no no_grad() needed.
        foreach (var (name, p) in model.named_parameters())
            _parameters.Add((name, p, Copy(p), p.requires_grad, p.grad is { } g ? Copy(g) : null));
        foreach (var (name, b) in model.named_buffers())
            _buffers.Add((name, b, Copy(b)));
        foreach (var (name, module) in model.named_modules().Prepend(("", model)))
            _modes.Add((name, name.Length == 0 ? 0 : name.Count(c => c == '.') + 1, module, module.training));
        _hooks = HookRegistry.Snapshot(model);
    }

    public static ModelSnapshot Take(Module model) => new(model);

    /// <summary>For a <c>using</c> block: at its end, each change left is a failed criterion and the model is restored.</summary>
    public static ModelSnapshot Guard(CheckRecorder r, Module model, string suffix, string prefix = "") =>
        new(model) { _guard = (r, suffix, prefix) };

    /// <summary>Whether every layer's training flag went from true to false, and nothing else changed mode: <c>eval()</c>.</summary>
    public bool OnlySwitchedToEval =>
        _modes.Any(m => m.Training && !m.Module.training) && _modes.All(m => m.Module.training == m.Training || (m.Training && !m.Module.training));

    /// <summary>What differs from the recorded state, one entry per kind of change. Switching to eval mode alone is not a change: eval() is fine.</summary>
    public List<ModelChange> Changes()
    {
        using var scope = NewDisposeScope();
        var buffers = _buffers.Where(b => !Equal(b.Buffer, b.Value)).Select(b => b.Name).ToList();
        var values = _parameters.Where(p => !Equal(p.Parameter, p.Value)).Select(p => p.Name).ToList();
        var flags = _parameters.Where(p => p.Parameter.requires_grad != p.RequiresGrad).Select(p => p.Name).ToList();
        var modes = OnlySwitchedToEval ? [] : _modes.Where(m => m.Module.training != m.Training).ToList();
        var hooks = HookRegistry.Added(_model, _hooks, remove: false);
        string[] statistics = ["running_mean", "running_var", "num_batches_tracked"];
        string others = modes.Count > 1 ? $" and {modes.Count - 1} other layer(s)" : "";
        const string Restored = "(the check restored them)";
        (int Count, string Code, string Criterion, Func<string> Detail, string Hint)[] kinds =
        [
            (buffers.Count, FindingCodes.BatchNormStatsChanged, "leaves the batch-norm statistics as they were",
                () => buffers.Any(n => statistics.Any(n.EndsWith))
                    ? $"your function changed the batch-norm statistics ({buffers.Count} buffers, e.g. {buffers[0]}): " +
                      "it ran the model in training mode"
                    : $"your function changed {buffers.Count} buffer(s) of the model, e.g. {buffers[0]}",
                "A forward pass in training mode updates every batch-norm layer's running mean and variance. " +
                "Run the model in eval mode for a map (the check restored the statistics)."),
            (values.Count, FindingCodes.ParametersChanged, "leaves the weights as they were",
                () => $"your function changed {values.Count} parameter(s), e.g. {values[0]} {Restored}",
                "A map only reads the model: no optimiser step, no in-place operation (ending in _) on a weight."),
            (flags.Count, FindingCodes.RequiresGradChanged, "leaves requires_grad as it was",
                () => $"your function changed requires_grad of {flags.Count} parameter(s), e.g. {flags[0]} {Restored}",
                "Whatever your code switches on the caller's model, it switches back when it is done with it " +
                "(a using block or try/finally; a hook, in its Dispose): the model belongs to the caller."),
            (modes.Count, FindingCodes.ModelChanged, "leaves the model's mode as it was",
                () => $"your function left {(modes[0].Name.Length == 0 ? "the model" : modes[0].Name)}{others} in " +
                    $"{(modes[0].Module.training ? "training" : "eval")} mode (the check restored the modes)",
                "Switch the mode back when your code is done with the model (a using block, e.g. ModelModeScope, " +
                "or try/finally; a hook, in its Dispose): the model belongs to the caller."),
            (hooks.Count, FindingCodes.HookNotRemoved, "leaves no hooks on the model",
                () => $"{hooks.Count} hook(s) still registered on {string.Join(", ", hooks.Distinct())} (the check removed them)",
                "Put each hook in a using declaration (or dispose it) so that it is removed when your function returns, " +
                "even after an exception."),
        ];
        return [.. kinds.Where(k => k.Count > 0).Select(k => new ModelChange(k.Code, k.Criterion, k.Detail(), k.Hint))];
    }

    /// <summary>Puts back every recorded value, flag, mode and gradient, and removes hooks added since.</summary>
    public void Restore()
    {
        using (no_grad())
        {
            foreach (var (_, p, value, requiresGrad, grad) in _parameters)
            {
                if (!Equal(p, value)) p.copy_(value);
                if (p.requires_grad != requiresGrad) p.requires_grad = requiresGrad;
                if (grad is null) { if (p.grad is not null) p.grad = null; }
                else if (p.grad is null || !Equal(p.grad, grad)) p.grad = Copy(grad);
            }
            foreach (var (_, b, value) in _buffers)
                if (!Equal(b, value)) b.copy_(value);
        }
        // train(bool) recurses into children: parents first, then deeper layers overwrite.
        foreach (var (_, _, module, training) in _modes.OrderBy(m => m.Depth))
            if (module.training != training) module.train(training);
        HookRegistry.Added(_model, _hooks, remove: true);
    }

    public void ReportAndRestore(CheckRecorder r, string suffix, string prefix = "")
    {
        foreach (var change in Changes()) r.Fail($"{prefix}{change.Criterion}{suffix}", change.Code, change.Detail, change.Hint);
        Restore();
    }

    private static Tensor Copy(Tensor t) => t.detach().clone().DetachFromDisposeScope();

    private static bool Equal(Tensor a, Tensor b)
    {
        if (a.IsInvalid || !a.shape.SequenceEqual(b.shape) || a.dtype != b.dtype) return false;
        using var scope = NewDisposeScope();
        return a.eq(b).all().item<bool>();
    }

    public void Dispose()
    {
        if (_guard is { } guard) ReportAndRestore(guard.Recorder, guard.Suffix, guard.Prefix);
        foreach (var p in _parameters) { p.Value.Dispose(); p.Grad?.Dispose(); }
        foreach (var b in _buffers) b.Value.Dispose();
    }
}
