using CamNotebooks.Hooks;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Exercises;

/// <summary>
/// The exercise checks: each runs your implementation next to the library's reference on small hand-built cases and on
/// the real network and photos (<see cref="ExerciseData"/>), and returns a <see cref="CheckResult"/> saying what is
/// right and, for what is not, what differs and which idea to revisit. A check never throws because of your code: an
/// exception in it becomes a finding.
/// </summary>
public static partial class Check
{
    /// <summary>Checks share one model; running two at once (parallel tests) would let one's hooks fire in the other's passes.</summary>
    private static readonly object Gate = new();

    private static CheckResult Run(string exercise, Action<CheckRecorder> body) => Run(exercise, Plans.GetValueOrDefault(exercise), body);

    private static CheckResult Run(string exercise, IReadOnlyList<string>? plan, Action<CheckRecorder> body)
    {
        var recorder = new CheckRecorder(exercise, plan);
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
                // Learner code is called through TryLearner; what reaches here was left behind by it (a tensor it disposed, a
                // hook that throws later), so it is reported, never thrown into the notebook.
                recorder.RecordException("the rest of the check", e,
                    "The check stopped at this exception, raised by something your code left behind (a tensor it disposed, a hook still firing...).");
            }
            finally { recorder.RestoreAutograd(switches); }
        }
        return recorder.Result();
    }

    /// <summary>
    /// Records whether hooks registered by the learner's code on <paramref name="model"/> are gone, removing any that are
    /// left so they cannot disturb later cells.
    /// </summary>
    private static void ExpectNoLeftoverHooks(CheckRecorder r, Module model, Dictionary<Module, HashSet<string>> before, string criterion, string hint)
    {
        var leftOn = HookRegistry.RemoveAddedSince(model, before);
        if (leftOn.Count == 0) r.Pass(criterion);
        else
            r.Fail(criterion, FindingCodes.HookNotRemoved,
                $"{leftOn.Count} hook(s) still registered on {string.Join(", ", leftOn.Distinct())} (the check removed them for you)", hint);
    }

    /// <summary>Reads a learner hook's Stored safely.</summary>
    private static bool TryStored(CheckRecorder r, ExerciseHook hook, string criterion, out Tensor? stored) =>
        r.TryLearner(criterion, () => hook.Stored, out stored, "Reading Stored threw: the getter should just return the tensor you kept.");

    /// <summary>
    /// The factor h·w (or its inverse) of a tensor whose last two dimensions are positions, named: a sum where a mean
    /// belongs, or a mean where none does.
    /// </summary>
    private static IReadOnlyList<TensorComparison.NamedFactor> PositionFactors(Tensor positions, string detail, string hint, bool summed = false)
    {
        long count = positions.shape[^1] * positions.shape[^2];
        return [new(summed ? count : 1.0 / count, summed ? FindingCodes.GradientsSummed : FindingCodes.AveragedOverPositions,
            $"{detail} (h·w = {count})", hint)];
    }

    /// <summary>A detached float32 copy owned by the caller's scope.</summary>
    private static Tensor Copy(Tensor t) => t.detach().clone();

    private static Module<Tensor, Tensor> Layer(Module model, string name) => ModuleLookup.FindTensorModule(model, name);
}
