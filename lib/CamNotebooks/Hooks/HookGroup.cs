using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Hooks;

/// <summary>
/// Forward hooks on several layers at once (fastai's <c>Hooks</c>), removed together by one <see cref="Dispose"/>:
/// <code>
/// using var stages = HookGroup.ByNames(model, "layer1", "layer2", "layer3", "layer4");
/// model.call(batch);
/// foreach (var hook in stages) Console.WriteLine($"{hook.LayerName}: {hook.Stored.shape}");
/// </code>
/// </summary>
/// <remarks>Named HookGroup rather than Hooks because a class may not share its namespace's name comfortably in C#.</remarks>
public sealed class HookGroup : IReadOnlyList<Hook>, IDisposable
{
    private readonly List<Hook> _hooks = [];

    /// <summary>Hooks each of <paramref name="layers"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="layers"/> is null.</exception>
    public HookGroup(IEnumerable<Module<Tensor, Tensor>> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        try
        {
            foreach (var layer in layers) _hooks.Add(new Hook(layer));
        }
        catch
        {
            Dispose(); // a bad layer halfway through must not leave the first hooks behind
            throw;
        }
    }

    private HookGroup(List<Hook> hooks) => _hooks = hooks;

    /// <summary>Hooks the layers with the given dotted names.</summary>
    /// <exception cref="ArgumentException">A name does not exist (nothing stays registered).</exception>
    public static HookGroup ByNames(Module model, params string[] names)
    {
        var layers = names.Select(name => ModuleLookup.FindTensorModule(model, name)).ToList(); // validate all first
        return new HookGroup(layers.Select((layer, i) => new Hook(layer, names[i])).ToList());
    }

    /// <summary>The hook on the layer called <paramref name="layerName"/>.</summary>
    public Hook this[string layerName] => _hooks.FirstOrDefault(h => h.LayerName == layerName)
        ?? throw new KeyNotFoundException($"No hook on '{layerName}'. Hooked: {string.Join(", ", _hooks.Select(h => h.LayerName))}.");

    /// <inheritdoc />
    public Hook this[int index] => _hooks[index];

    /// <inheritdoc />
    public int Count => _hooks.Count;

    /// <summary>The stored output of every hook, in order.</summary>
    public IReadOnlyList<Tensor> Stored => _hooks.Select(h => h.Stored).ToList();

    /// <inheritdoc />
    public IEnumerator<Hook> GetEnumerator() => _hooks.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Removes every hook. Safe to call twice.</summary>
    public void Dispose()
    {
        foreach (var hook in _hooks) hook.Dispose();
    }
}
