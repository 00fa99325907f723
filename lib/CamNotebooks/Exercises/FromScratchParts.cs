using System.Reflection;
using CamNotebooks.Heatmaps;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Exercises;

/// <summary>
/// The learner's capstone pieces (exercise 7), found by the specification's names (classes <c>ActivationHook</c> and
/// <c>GradientHook</c>, a static class <c>MyMaps</c> with <c>Cam</c>, <c>GradCam</c> and <c>Overlay</c>) or handed over
/// directly (tests, scripts); what could not be found is in <see cref="Problems"/>, with what was expected.
/// </summary>
/// <remarks>
/// Names, not delegates in the check cell: a cell naming the learner's types would not compile until all of them exist, so the
/// learner would get a compiler error, not a list of what is missing. A notebook cell's types are nested in its submission
/// class (<c>Submission#N</c>); when a cell declaring a name is run again, the latest submission wins.
/// </remarks>
public sealed class FromScratchParts
{
    /// <summary>The names the specification gives.</summary>
    public const string ActivationHookName = "ActivationHook", GradientHookName = "GradientHook", MapsClassName = "MyMaps";

    /// <summary>Creates the learner's forward hook on a layer (wrapped so the exercise 1 check can drive it).</summary>
    public Func<Module<Tensor, Tensor>, ExerciseHook>? ActivationHook { get; init; }

    /// <summary>Creates the learner's backward-hook substitute on a layer.</summary>
    public Func<Module<Tensor, Tensor>, ExerciseHook>? GradientHook { get; init; }

    /// <summary>The learner's CAM.</summary>
    public CamFunction? Cam { get; init; }

    /// <summary>The learner's Grad-CAM.</summary>
    public GradCamFunction? GradCam { get; init; }

    /// <summary>The learner's overlay.</summary>
    public OverlayFunction? Overlay { get; init; }

    /// <summary>What could not be found, by piece: (piece, what was expected and what was found instead).</summary>
    public IReadOnlyList<(string Piece, string Problem)> Problems { get; init; } = [];

    /// <summary>Looks for the pieces among every type loaded in this process (the notebook's cells included).</summary>
    public static FromScratchParts Find() => Find(AppDomain.CurrentDomain.GetAssemblies().SelectMany(LoadableTypes));

    /// <summary>Looks for the pieces among <paramref name="types"/>; for a name defined more than once, the latest cell wins.</summary>
    public static FromScratchParts Find(IEnumerable<Type> types)
    {
        var candidates = types.Where(t => t.Name is ActivationHookName or GradientHookName or MapsClassName
                                          && t.Assembly != typeof(FromScratchParts).Assembly).ToList();
        Type? Latest(string name) => candidates.Where(t => t.Name == name).OrderBy(SubmissionNumber).LastOrDefault();
        var problems = new List<(string, string)>();
        var activationHook = HookFactory(Latest(ActivationHookName), ActivationHookName, problems);
        var gradientHook = HookFactory(Latest(GradientHookName), GradientHookName, problems);
        var maps = Latest(MapsClassName);
        if (maps is null)
            problems.Add(($"{MapsClassName}.Cam, {MapsClassName}.GradCam, {MapsClassName}.Overlay",
                $"no class named {MapsClassName}: declare 'public static class {MapsClassName}' with the three static methods of the specification"));
        return new FromScratchParts
        {
            ActivationHook = activationHook, GradientHook = gradientHook, Problems = problems,
            Cam = StaticMethod<CamFunction>(maps, "Tensor Cam(Tensor activations, Tensor weights, int classIndex)", problems),
            GradCam = StaticMethod<GradCamFunction>(maps, "Tensor GradCam(Module<Tensor, Tensor> model, " +
                "Module<Tensor, Tensor> layer, Tensor image, int classIndex)", problems),
            Overlay = StaticMethod<OverlayFunction>(maps,
                "Tensor Overlay(Tensor image, Tensor map, Colormap colormap, double alpha)", problems),
        };
    }

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try { return assembly.GetTypes(); }
        catch (ReflectionTypeLoadException e) { return e.Types.Where(t => t is not null)!; }
        catch (Exception) { return []; }
    }

    /// <summary>The N of a type nested in a notebook cell's class Submission#N (0 otherwise), so the latest cell wins.</summary>
    private static int SubmissionNumber(Type type)
    {
        for (var t = type.DeclaringType; t is not null; t = t.DeclaringType)
            if (t.Name.StartsWith("Submission#", StringComparison.Ordinal) && int.TryParse(t.Name["Submission#".Length..], out int n)) return n;
        return 0;
    }

    private static Func<Module<Tensor, Tensor>, ExerciseHook>? HookFactory(Type? type, string name, List<(string, string)> problems)
    {
        string spec = $"'public class {name} : IDisposable' with a constructor {name}(Module<Tensor, Tensor> layer) and a property 'public Tensor? Stored'";
        if (type is null)
        {
            problems.Add((name, $"no class named {name}: declare {spec}"));
            return null;
        }
        // The layer first; further parameters are fine if they are optional (they keep their defaults).
        var constructor = type.GetConstructors().FirstOrDefault(c => c.GetParameters() is [var p, .. var rest]
            && p.ParameterType.IsAssignableFrom(typeof(Module<Tensor, Tensor>)) && rest.All(r => r.IsOptional));
        var stored = (MemberInfo?)type.GetProperty("Stored", BindingFlags.Public | BindingFlags.Instance)
                     ?? type.GetField("Stored", BindingFlags.Public | BindingFlags.Instance);
        var storedType = stored switch { PropertyInfo p => p.PropertyType, FieldInfo f => f.FieldType, _ => null };
        var missing = new List<string>();
        if (constructor is null)
            missing.Add($"a public constructor taking the layer, Module<Tensor, Tensor> (found: {string.Join("; ", type.GetConstructors().Select(Describe))})");
        if (storedType != typeof(Tensor)) missing.Add(stored is null ? "a public property (or field) Stored" : $"Stored of type Tensor (it is {storedType?.Name})");
        if (!typeof(IDisposable).IsAssignableFrom(type)) missing.Add("IDisposable, with a Dispose() that removes the hook");
        if (missing.Count > 0)
        {
            problems.Add((name, $"{name} lacks {string.Join(", ", missing)}; the specification: {spec}"));
            return null;
        }
        var defaults = constructor!.GetParameters().Skip(1).Select(p => p.DefaultValue).ToArray();
        // The learner's own exceptions, not reflection's wrapper around them.
        const BindingFlags Unwrapped = BindingFlags.DoNotWrapExceptions;
        return layer => new LearnerHook((IDisposable)constructor.Invoke(Unwrapped, null, [layer, .. defaults], null), stored!);
    }

    private static string Describe(ConstructorInfo c) => $"{c.DeclaringType?.Name}({string.Join(", ", c.GetParameters().Select(p => p.ParameterType.Name))})";

    /// <summary>The static method named in <paramref name="signature"/> ("Tensor Name(...)"), if it fits.</summary>
    private static T? StaticMethod<T>(Type? owner, string signature, List<(string, string)> problems) where T : Delegate
    {
        if (owner is null) return null;
        string name = signature.Split(' ', '(')[1];
        var methods = owner.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static).Where(m => m.Name == name).ToList();
        foreach (var method in methods)
            if (Delegate.CreateDelegate(typeof(T), method, throwOnBindFailure: false) is T found) return found;
        problems.Add(($"{MapsClassName}.{name}", methods.Count == 0
            ? $"{MapsClassName} has no static method {name}: declare 'public static {signature}'"
            : $"{MapsClassName}.{name} has another signature than '{signature}'"));
        return null;
    }

    /// <summary>The learner's hook seen as an <see cref="ExerciseHook"/>: Stored read by reflection, Dispose forwarded.</summary>
    private sealed class LearnerHook(IDisposable hook, MemberInfo stored) : ExerciseHook
    {
        public override Tensor? Stored
        {
            get => (Tensor?)(stored is PropertyInfo p ? p.GetValue(hook, BindingFlags.DoNotWrapExceptions, null, null, null)
                : ((FieldInfo)stored).GetValue(hook));
            protected set { }
        }

        public override void Dispose() => hook.Dispose();
    }
}
