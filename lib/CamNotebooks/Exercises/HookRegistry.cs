using System.Collections;
using System.Reflection;
using static TorchSharp.torch.nn;
using Module = TorchSharp.torch.nn.Module;

namespace CamNotebooks.Exercises;

/// <summary>
/// The hooks registered on a model's layers, so a check can tell whether the learner's code removed its own, and take away
/// those left (they would fire in every later cell). TorchSharp 0.107 keeps them in four protected dictionaries of
/// <c>HookableModule&lt;,&gt;</c> and cannot list them, hence reflection; if renamed, <see cref="IsSupported"/> turns false.
/// </summary>
internal static class HookRegistry
{
    private static readonly string[] FieldNames = ["pre_hooks", "post_hooks", "module_pre_hooks", "module_post_hooks"];

    /// <summary>The keys of every hook registered on <paramref name="model"/> and its sub-modules, by module.</summary>
    public static Dictionary<Module, HashSet<string>> Snapshot(Module model)
    {
        var snapshot = new Dictionary<Module, HashSet<string>>(ReferenceEqualityComparer.Instance);
        foreach (var (_, module) in model.named_modules().Prepend(("", model)))
            snapshot[module] = Dictionaries(module).SelectMany(d => d.Keys.Cast<string>()).ToHashSet();
        return snapshot;
    }

    /// <summary>Whether hook dictionaries were found on this TorchSharp version.</summary>
    public static bool IsSupported(Module model) => Dictionaries(model).Any();

    /// <summary>The hooks added since <paramref name="before"/>, as their layers' names; removed if asked.</summary>
    public static List<string> Added(Module model, Dictionary<Module, HashSet<string>> before, bool remove)
    {
        var found = new List<string>();
        foreach (var (name, module) in model.named_modules().Prepend(("(the model)", model)))
        {
            var known = before.GetValueOrDefault(module) ?? [];
            foreach (var dictionary in Dictionaries(module))
                foreach (var key in dictionary.Keys.Cast<string>().Where(k => !known.Contains(k)).ToList())
                {
                    if (remove) dictionary.Remove(key);
                    found.Add(name);
                }
        }
        return found;
    }

    private static IEnumerable<IDictionary> Dictionaries(Module module)
    {
        for (var type = module.GetType(); type is not null; type = type.BaseType)
        {
            if (!type.IsGenericType || type.GetGenericTypeDefinition().Name != "HookableModule`2") continue;
            foreach (var name in FieldNames)
                if (type.GetField(name, BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(module) is IDictionary dictionary)
                    yield return dictionary;
        }
    }
}
