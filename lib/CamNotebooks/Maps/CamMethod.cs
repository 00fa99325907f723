using CamNotebooks.Hooks;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Maps;

/// <summary>
/// What a map method's formula may read, all taken from one forward (and, if needed, backward) pass: the layer's
/// activations, their gradients, the head's weights and the class each image's map explains.
/// </summary>
public sealed class CamInputs(Tensor activations, Tensor? gradients, Tensor? headWeights, IReadOnlyList<int> classes,
    Tensor? images = null, Func<Tensor, Tensor>? scorer = null)
{
    /// <summary>The layer's activations A, [N, K, h, w].</summary>
    public Tensor Activations { get; } = activations;

    /// <summary>∂(class score)/∂A, [N, K, h, w]; only for methods that need gradients.</summary>
    /// <exception cref="InvalidOperationException">The method was declared without gradients.</exception>
    public Tensor Gradients => gradients ?? throw new InvalidOperationException(
        "No gradients were computed for this map: the method was declared with needsGradients: false. Declare it with " +
        "needsGradients: true to read them.");

    /// <summary>The final Linear layer's weight [classes, K]; only for methods that read the head (CAM).</summary>
    /// <exception cref="InvalidOperationException">The method was declared without the head.</exception>
    public Tensor HeadWeights => headWeights ?? throw new InvalidOperationException(
        "The head's weights were not read for this map: the method was declared with lastStageOnly: false. Only methods " +
        "declared with lastStageOnly: true (they read the head, like CAM) get them.");

    /// <summary>For each image, the class its map explains.</summary>
    public IReadOnlyList<int> Classes { get; } = classes;

    /// <summary>The batch the maps explain [N, C, H, W]; only for methods declared with scoresInputs: true (Score-CAM).</summary>
    /// <exception cref="InvalidOperationException">The method was declared without scoresInputs.</exception>
    public Tensor Images => images ?? throw NotDeclared();

    /// <summary>The model's class scores [M, classes] for inputs [M, C, H, W] (e.g. masked copies of an image), without
    /// gradients; only for methods declared with scoresInputs: true (Score-CAM).</summary>
    /// <exception cref="InvalidOperationException">The method was declared without scoresInputs.</exception>
    public Tensor Score(Tensor inputs) => (scorer ?? throw NotDeclared())(inputs);

    private static InvalidOperationException NotDeclared() => new(
        "The model was not handed to this map's formula: the method was declared with scoresInputs: false. Declare it with " +
        "scoresInputs: true to run the model on modified inputs.");
}

/// <summary>
/// A class activation map method: its name, what it needs from the model, and its pure formula. Probing the layer (hook,
/// forward, backward, clean-up, checks) is shared by every method in <see cref="Compute"/>, so a method is just its formula.
/// </summary>
/// <remarks>Threads: every map may be computed from any thread; calls made at the same time run one after another, because
/// each registers a hook on a module that other calls may share. Do not run the same model yourself (<c>model.call</c>,
/// training) on another thread while a map is computed: that pass would fire the map's hook.</remarks>
/// <param name="name">The name maps and tables show, e.g. "Grad-CAM".</param>
/// <param name="needsGradients">Whether the formula reads <see cref="CamInputs.Gradients"/> (costs a backward pass).</param>
/// <param name="lastStageOnly">Whether the formula reads <see cref="CamInputs.HeadWeights"/>, which only makes sense for the
/// layer whose globally averaged output is the head's input (a ResNet's last stage).</param>
/// <param name="formula">The map [N, h, w] from the inputs; no hooks, and no model unless <paramref name="scoresInputs"/>.</param>
/// <param name="scoresInputs">Whether the formula runs the model again on modified inputs (<see cref="CamInputs.Score"/>):
/// one forward pass per channel for Score-CAM, so such a method costs hundreds of forward passes per image.</param>
public sealed class CamMethod(string name, bool needsGradients, bool lastStageOnly, Func<CamInputs, Tensor> formula,
    bool scoresInputs = false)
{
    /// <summary>The method's name, e.g. "Grad-CAM"; also <see cref="CamResult.Method"/>.</summary>
    public string Name { get; } = name;

    /// <summary>Whether the map needs the gradient of the class score (a backward pass) or just a forward pass.</summary>
    public bool NeedsGradients { get; } = needsGradients;

    /// <summary>Whether the method reads the head's weights and so only works on the layer pooled into the head (plain CAM).</summary>
    public bool LastStageOnly { get; } = lastStageOnly;

    /// <summary>The pure formula: the maps [N, h, w] from activations, gradients or head weights.</summary>
    public Func<CamInputs, Tensor> Formula { get; } = formula;

    /// <summary>Whether the formula runs the model on modified inputs (Score-CAM): costly, a forward pass per channel.</summary>
    public bool ScoresInputs { get; } = scoresInputs;

    /// <summary>Computes one map per image of <paramref name="batch"/> at <paramref name="layer"/>.</summary>
    /// <param name="model">Any classifier mapping [N, C, H, W] to class scores [N, classes].</param>
    /// <param name="layer">A layer of <paramref name="model"/> whose output is [N, K, h, w]: the module or its dotted name.</param>
    /// <param name="batch">Images, preprocessed as the model expects.</param>
    /// <param name="classIndices">null: each image's predicted class; one index for all images; or one per image.</param>
    /// <param name="head">The final Linear layer (module or name); read by <see cref="LastStageOnly"/> methods, ignored by the others.</param>
    /// <exception cref="ArgumentException">Batch not 4-D or empty, layer not in the model or not 4-D, wrong number of class
    /// indices; for CAM: no Linear head, or a layer that is not the one pooled into it.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A class index outside the model's classes.</exception>
    public CamResult Compute(Module<Tensor, Tensor> model, LayerReference layer, Tensor batch, int[]? classIndices = null,
        LayerReference? head = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(batch);
        var (layerModule, layerName) = layer.Resolve(model);
        var linear = LastStageOnly ? RequireLinearHead(model, head) : null;
        using var scope = NewDisposeScope();
        var probe = LayerProbe.Run(model, layerModule, layerName, batch, classIndices, NeedsGradients, pooledInto: linear);
        using var noGrad = no_grad();
        var headWeights = linear is null ? null : CheckPooledIntoHead(linear.weight!.detach(), layerName, probe);
        Func<Tensor, Tensor>? scorer = ScoresInputs ? x => { using var eval = ModelModeScope.Eval(model); return model.call(x); } : null;
        var maps = Formula(new CamInputs(probe.Activations, probe.Gradients, headWeights, probe.Classes, ScoresInputs ? batch : null, scorer));
        return LayerProbe.Result(Name, layerName, maps, probe);
    }

    private Linear RequireLinearHead(Module<Tensor, Tensor> model, LayerReference? head)
    {
        if (head is null)
            throw new ArgumentException(
                $"{Name} reads the weights of the model's final Linear layer: pass it as head (for a ResNet: \"fc\"; for a " +
                "PetClassifier: model.HeadLinear).", nameof(head));
        var (module, _) = head.Resolve(model);
        return module as Linear ?? throw new ArgumentException(
            $"{Name} needs the final Linear layer as its head, got {module.GetType().Name}. If the head is a Sequential, " +
            "pass its last Linear; for other heads use Grad-CAM, which needs no head.", nameof(head));
    }

    private Tensor CheckPooledIntoHead(Tensor weight, string layerName, ProbeOutput probe)
    {
        if (weight.shape[1] != probe.Activations.shape[1])
            throw new ArgumentException(
                $"The head takes {weight.shape[1]} features but layer '{layerName}' has {probe.Activations.shape[1]} channels. " +
                $"{Name} needs the layer whose pooled output feeds that Linear layer directly.", "layer");
        if (probe.PooledIntoHead is not true)
            throw new ArgumentException(probe.PooledIntoHead is null
                ? $"The head did not run when the model did, so {Name} cannot read what it was fed. Pass the Linear layer " +
                  "that computes the class scores."
                : $"Layer '{layerName}' is not the layer whose averaged output the head reads (its mean over positions differs " +
                  $"from the head's input), so {Name}'s weighting by the head does not apply to it. {Name} only works on that last " +
                  "stage (for a ResNet: layer4); for inner layers use Grad-CAM, Grad-CAM++ or LayerCAM.", "layer");
        return weight;
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
