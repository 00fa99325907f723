namespace CamNotebooks.Exercises;

/// <summary>
/// The stable diagnosis codes checks report (<see cref="CheckFinding.Code"/>). Tests and notebooks may rely on them;
/// the wording of details and hints may change.
/// </summary>
public static class FindingCodes
{
    /// <summary>The learner's code still throws <see cref="NotImplementedException"/>: the exercise is not started.</summary>
    public const string NotImplemented = "not-implemented";
    /// <summary>The learner's code threw another exception.</summary>
    public const string Exception = "exception";
    /// <summary>The learner's code returned null.</summary>
    public const string NoResult = "no-result";
    /// <summary>The result has another shape than the reference, for no reason the check recognises.</summary>
    public const string WrongShape = "wrong-shape";
    /// <summary>The result has another element type than float32.</summary>
    public const string WrongDtype = "wrong-dtype";
    /// <summary>The values differ from the reference, for no reason the check recognises.</summary>
    public const string WrongValues = "wrong-values";
    /// <summary>The values are the reference's times a constant factor.</summary>
    public const string ScaledValues = "scaled-values";
    /// <summary>The values are the reference's plus a constant.</summary>
    public const string ShiftedValues = "shifted-values";
    /// <summary>The map's rows and columns are swapped.</summary>
    public const string Transposed = "transposed";
    /// <summary>A returned or stored tensor is still attached to the autograd graph.</summary>
    public const string NotDetached = "not-detached";
    /// <summary>The learner's code changed one of its input tensors in place.</summary>
    public const string ModifiedInput = "modified-input";
    /// <summary>A hook stored nothing after the model ran.</summary>
    public const string NothingStored = "nothing-stored";
    /// <summary>A forward hook stored the layer's input instead of its output.</summary>
    public const string CapturedInput = "captured-input";
    /// <summary>A stored tensor shares memory with the model's own output, so later in-place operations change it (or it was freed).</summary>
    public const string NotCloned = "not-cloned";
    /// <summary>A hook is still registered after Dispose (or after the learner's function returned).</summary>
    public const string HookNotRemoved = "hook-not-removed";
    /// <summary>A hook kept an earlier pass's tensor instead of the latest.</summary>
    public const string Stale = "stale";
    /// <summary>A hook changed what the model computes (its output).</summary>
    public const string OutputChanged = "output-changed";
    /// <summary>CAM used the head's weights as [K, C] instead of [C, K].</summary>
    public const string TransposedWeights = "transposed-weights";
    /// <summary>The map explains another class than the one asked for.</summary>
    public const string WrongClass = "wrong-class";
    /// <summary>The map stack of every class was returned instead of the asked class's map.</summary>
    public const string AllClasses = "all-classes";
    /// <summary>A sum or mean ran over the wrong dimensions.</summary>
    public const string WrongDims = "wrong-dims";
    /// <summary>Negative values were clipped where the method keeps them.</summary>
    public const string ReluApplied = "relu-applied";
    /// <summary>Negative values were kept where the method clips them (Grad-CAM's final ReLU).</summary>
    public const string MissingRelu = "missing-relu";
    /// <summary>Backward ran but the hook captured no gradient.</summary>
    public const string NoGradient = "no-gradient";
    /// <summary>A gradient hook stored the activations instead of the gradient.</summary>
    public const string CapturedActivations = "captured-activations";
    /// <summary>The tensor belongs to another layer than the one asked for.</summary>
    public const string WrongLayer = "wrong-layer";
    /// <summary>A gradient hook changed the gradient flowing on to earlier layers.</summary>
    public const string GradientAltered = "gradient-altered";
    /// <summary>Grad-CAM weighted every position by its own gradient instead of one averaged weight per channel.</summary>
    public const string GradientsNotAveraged = "gradients-not-averaged";
    /// <summary>Grad-CAM differentiated the softmax probability instead of the raw class score.</summary>
    public const string UsedProbability = "used-probability";
    /// <summary>The learner's code left the model (or some of its layers) in another mode than it was given.</summary>
    public const string ModelChanged = "model-changed";
    /// <summary>The map was not min-max scaled to 0..1 before colouring.</summary>
    public const string NotNormalised = "not-normalised";
    /// <summary>The map was scaled to 0..1 some other way than min-max.</summary>
    public const string WrongNormalisation = "wrong-normalisation";
    /// <summary>The map was not stretched to the image's size.</summary>
    public const string NotUpsampled = "not-upsampled";
    /// <summary>The map was stretched with another interpolation than bilinear (pixel-centre aligned).</summary>
    public const string WrongInterpolation = "wrong-interpolation";
    /// <summary>The picture's opacity was applied to the image instead of the heatmap.</summary>
    public const string AlphaSwapped = "alpha-swapped";
    /// <summary>The picture came back [H, W, 3] instead of [3, H, W].</summary>
    public const string ChannelsLast = "channels-last";
    /// <summary>Weights [N, K] were multiplied with [N, K, h, w] tensors lined up on the wrong dimensions.</summary>
    public const string BroadcastMisaligned = "broadcast-misaligned";
    /// <summary>The map is the reference divided by the number of positions h·w (an average over the positions).</summary>
    public const string AveragedOverPositions = "averaged-over-positions";
    /// <summary>The map is the reference divided by the number of channels K (an average instead of the weighted sum).</summary>
    public const string AveragedOverChannels = "averaged-over-channels";
    /// <summary>The map was min-max scaled to 0..1 (or divided by its maximum), a display step the raw map must not take.</summary>
    public const string Normalised = "normalised";
    /// <summary>The map's values were clamped to a range.</summary>
    public const string Clamped = "clamped";
    /// <summary>A softmax was taken over the map's positions.</summary>
    public const string SoftmaxOverPositions = "softmax-over-positions";
    /// <summary>Grad-CAM back-propagated a loss (cross-entropy) instead of the class score.</summary>
    public const string UsedLoss = "used-loss";
    /// <summary>Axes were reshaped (memory order kept) where they had to be permuted (moved).</summary>
    public const string ReshapedNotPermuted = "reshaped-not-permuted";
    /// <summary>A mean ran over the wrong axes of a batched tensor (e.g. the book's mean([1, 2]) on [N, K, h, w]).</summary>
    public const string MeanOverWrongAxes = "mean-over-wrong-axes";
    /// <summary>One map for the whole batch (images mixed) instead of one per image.</summary>
    public const string WholeBatch = "whole-batch";
    /// <summary>The learner's code used a tensor the model had already disposed (kept from a hook without a copy).</summary>
    public const string DisposedTensor = "disposed-tensor";
    /// <summary>The map is the one of the model in training mode (batch normalisation used the batch's own statistics).</summary>
    public const string TrainingMode = "training-mode";
    /// <summary>The learner's code changed batch-norm running statistics (it ran the model in training mode).</summary>
    public const string BatchNormStatsChanged = "batchnorm-stats-changed";
    /// <summary>The learner's code changed the model's parameters (weights or biases).</summary>
    public const string ParametersChanged = "parameters-changed";
    /// <summary>The learner's code changed which parameters require grad.</summary>
    public const string RequiresGradChanged = "requires-grad-changed";
    /// <summary>A piece the capstone asks for (a type, a method, a member) could not be found or has another signature.</summary>
    public const string NotFound = "not-found";
    /// <summary>The gradients were summed over the positions instead of averaged (the map is h·w times too large).</summary>
    public const string GradientsSummed = "gradients-summed";
    /// <summary>Back-propagated the sum of all classes' scores instead of the one class's score.</summary>
    public const string AllScores = "all-scores";
    /// <summary>The positive part was taken before the weighted sum (on each term or on the channel weights), not of the map.</summary>
    public const string ReluTooEarly = "relu-too-early";
    /// <summary>The photo was not faded by 1 − alpha before the heatmap was added.</summary>
    public const string ImageNotFaded = "image-not-faded";
    /// <summary>The learner's code left autograd switched off (no_grad() without using) or on where it had been off.</summary>
    public const string GradModeChanged = "grad-mode-changed";
    /// <summary>The learner's code left inference mode switched on (inference_mode() without using).</summary>
    public const string InferenceModeChanged = "inference-mode-changed";
    /// <summary>A tensor the learner's hook kept was freed by the learner's own dispose scope or using, not by the model.</summary>
    public const string FreedByYourCode = "freed-by-your-code";
    /// <summary>A forward hook returned a tensor, which replaced the layer's output.</summary>
    public const string OutputReplaced = "output-replaced";
    /// <summary>The gradient tap's Forward returned a tensor cut from the graph (detach()), so its Backward never ran.</summary>
    public const string TapDetached = "tap-detached";
    /// <summary>Grad-CAM weighted the channels with the head's weights (CAM's) instead of the averaged gradients.</summary>
    public const string CamWeights = "cam-weights";
    /// <summary>The colour map was run from its last colour to its first (the map's high values got the low colours).</summary>
    public const string ColormapReversed = "colormap-reversed";
    /// <summary>The heatmap's colour channels are in another order (B, G, R instead of R, G, B).</summary>
    public const string ChannelsSwapped = "channels-swapped";
    /// <summary>The photo and the heatmap were blended with weights other than 1 − alpha and alpha (the fitted weights are reported).</summary>
    public const string WrongBlend = "blend-weights";
    /// <summary>Each image's map is right but the maps are in another order or along another axis.</summary>
    public const string ImagesMixed = "images-mixed";
}
