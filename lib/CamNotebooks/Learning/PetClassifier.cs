using CamNotebooks.Data;
using CamNotebooks.Imaging;
using CamNotebooks.Model;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Learning;

/// <summary>
/// The chapter's cats-vs-dogs classifier: the pretrained ResNet body (frozen), global average pooling, and a new linear
/// head. Input: preprocessed images [N, 3, 224, 224] (see <see cref="Prepare(string)"/>); output: logits [N, 2] in the
/// order of <see cref="PetsDataset.ClassNames"/> (index 0 = dog, 1 = cat).
/// </summary>
/// <remarks>
/// Children are named <c>body</c> (with its stages <c>body.layer1</c>..<c>body.layer4</c>) and <c>head</c> (whose
/// <c>head.linear</c> weight, 2 x 512, is what CAM multiplies the activations by). Both are invoked with <c>call</c>, so
/// hooks on them fire.
/// <para>Ownership: the classifier owns its head only. Several classifiers may share one <see cref="PretrainedResNet"/>;
/// disposing a classifier releases its head and leaves the body to whoever disposes the <see cref="PretrainedResNet"/>.</para>
/// </remarks>
public sealed class PetClassifier : Module<Tensor, Tensor>
{
    private readonly ResNetBody body;
    private readonly LinearHead head;

    /// <summary>Wraps a pretrained network and a head; the body's parameters are frozen (no gradients).</summary>
    public PetClassifier(PretrainedResNet pretrained, LinearHead head) : base(nameof(PetClassifier))
    {
        ArgumentNullException.ThrowIfNull(pretrained);
        ArgumentNullException.ThrowIfNull(head);
        Pretrained = pretrained;
        body = pretrained.Body;
        this.head = head;
        RegisterComponents();
        foreach (var parameter in body.parameters()) parameter.requires_grad = false;
        eval();
    }

    /// <summary>The pretrained network (body and preprocessing).</summary>
    public PretrainedResNet Pretrained { get; }

    /// <summary>The convolutional body; its output [N, 512, 7, 7] is what CAM reads.</summary>
    public ResNetBody Body => body;

    /// <summary>The trained head (pooled features to 2 logits).</summary>
    public LinearHead Head => head;

    /// <summary>The head's linear layer, the one CAM needs.</summary>
    public Linear HeadLinear => (Linear)head.named_children().Single(c => c.name == "linear").module;

    /// <summary>Class names by index: dog, cat.</summary>
    public static IReadOnlyList<string> ClassNames => PetsDataset.ClassNames;

    /// <summary>How photos are resized before they enter the network.</summary>
    public static ImageResize InputResize { get; } = ImageResize.CenterCrop(224);

    /// <inheritdoc />
    public override Tensor forward(Tensor images)
    {
        // No dispose scope here: it would also dispose the copies that hooks on the body keep (a hook runs inside this
        // call). Intermediates are released by hand instead, as Sequential does; autograd keeps what it needs.
        var activations = body.call(images);
        using var pooled = activations.mean([2, 3]);
        activations.Dispose();
        return head.call(pooled);
    }

    /// <summary>Releases the head, which this classifier owns, and not the body, which belongs to <see cref="Pretrained"/>.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // TorchSharp's Module.Dispose releases every registered submodule; unregister both first so the shared body
            // survives, then release the head by hand.
            ClearModules();
            head.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Loads a photo and turns it into a one-image batch the network takes [1, 3, 224, 224].</summary>
    public Tensor Prepare(string photoPath)
    {
        using var scope = NewDisposeScope();
        var rgb = ImageLoader.Load(photoPath, InputResize);
        return Pretrained.Preprocessing.Normalize(rgb.unsqueeze(0)).MoveToOuterDisposeScope();
    }

    /// <summary>Turns a prepared batch back into displayable RGB images [N, 3, H, W], 0..255 (the chapter's <c>decode</c>).</summary>
    public Tensor Decode(Tensor prepared) => Pretrained.Preprocessing.Decode(prepared);

    /// <summary>Class probabilities [N, 2] for prepared images.</summary>
    public Tensor Probabilities(Tensor prepared)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return functional.softmax(call(prepared), 1).MoveToOuterDisposeScope();
    }

    /// <summary>Pooled body features [N, 512] of raw RGB batches (0..255), the head's inputs.</summary>
    public static Tensor Featurize(PretrainedResNet pretrained, Tensor rgb0to255)
    {
        ArgumentNullException.ThrowIfNull(pretrained);
        return Featurize(pretrained.Body, pretrained.Preprocessing, rgb0to255);
    }

    /// <summary>Pooled features [N, 512] of raw RGB batches (0..255) computed by <paramref name="body"/>: a
    /// <see cref="ResNetBody"/> or its <see cref="ResNetBody.FoldBatchNorm"/> copy.</summary>
    public static Tensor Featurize(Module<Tensor, Tensor> body, ResNetPreprocessing preprocessing, Tensor rgb0to255)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(preprocessing);
        using var scope = NewDisposeScope();
        return ResNetBody.Pool(body.call(preprocessing.Normalize(rgb0to255))).MoveToOuterDisposeScope();
    }

    /// <summary>How <see cref="Train"/> computes features (part of the feature cache key).</summary>
    private const string Featurizer = "pooled ResNetBody, batch norms folded";

    /// <summary>
    /// Trains a new head on a frozen body, as the chapter does: features of every photo are computed once (one pass of the
    /// body), so an epoch only multiplies a [N, 512] matrix by the head. Deterministic for a given seed.
    /// </summary>
    /// <param name="pretrained">The pretrained network.</param>
    /// <param name="split">Training and validation photos.</param>
    /// <param name="options">Training options; null: 8 epochs of Adam, learning rate 0.01, batches of 32, seed 0.</param>
    /// <param name="onFeatures">Called while features are computed, with (photos done, total).</param>
    /// <param name="onEpoch">Called after each epoch.</param>
    /// <param name="useFeatureCache">Reuse the body's features from an earlier run (same weights, photos and resize) from
    /// the user cache; false always recomputes them.</param>
    public static PetClassifierTraining Train(PretrainedResNet pretrained, PetSplit split, HeadTrainingOptions? options = null,
        Action<int, int>? onFeatures = null, Action<EpochReport>? onEpoch = null, bool useFeatureCache = true)
    {
        ArgumentNullException.ThrowIfNull(pretrained);
        ArgumentNullException.ThrowIfNull(split);
        options ??= new HeadTrainingOptions();
        var all = split.Train.Concat(split.Validation).ToList();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        string cachePath = FeatureCache.PathFor(pretrained.Report.SourceSha256, Featurizer, InputResize.ToString(), all.Select(p => p.FilePath));
        string? cacheNote = null;
        var cached = useFeatureCache ? FeatureCache.TryRead(cachePath, all.Count, (int)ResNetBody.FeatureChannels, out cacheNote) : null;
        if (cached is not null) onFeatures?.Invoke(all.Count, all.Count);
        Tensor Extract()
        {
            // The features only need the body's output, so a copy with the batch norms folded into the convolutions computes
            // them (same values to ~1e-5, measurably faster); the classifier keeps the unfolded body that the chapters hook.
            using var folded = pretrained.Body.FoldBatchNorm();
            return FeatureExtraction.Extract(all, x => Featurize(folded, pretrained.Preprocessing, x), InputResize, progress: onFeatures);
        }
        using var features = cached ?? Extract();
        if (cached is null && useFeatureCache && FeatureCache.TryWrite(cachePath, features) is { } notWritten)
        {
            cacheNote = cacheNote is null ? notWritten : $"{cacheNote}; {notWritten}";
            Console.Error.WriteLine($"warning: {notWritten}.");
        }
        var featureTime = watch.Elapsed;
        using var labels = FeatureExtraction.Labels(all);
        int n = split.Train.Count;
        using var trainX = features[..n];
        using var trainY = labels[..n];
        using var validX = features[n..];
        using var validY = labels[n..];
        var head = new LinearHead(seed: options.Seed);
        watch.Restart();
        var history = HeadTrainer.Train(head, trainX, trainY, validX, validY, options, onEpoch);
        float[][] validation;
        using (no_grad())
        using (var probabilities = functional.softmax(head.call(validX), 1))
            validation = probabilities.data<float>().ToArray().Chunk(head.Classes).ToArray();
        return new PetClassifierTraining(new PetClassifier(pretrained, head), history, featureTime, watch.Elapsed,
            FeaturesFromCache: cached is not null, FeatureCacheNote: cacheNote) { ValidationProbabilities = validation };
    }
}

/// <summary>The outcome of <see cref="PetClassifier.Train"/>.</summary>
/// <param name="Classifier">The trained classifier (body + new head).</param>
/// <param name="History">One report per epoch.</param>
/// <param name="FeatureTime">Time spent computing the body's features for every photo.</param>
/// <param name="TrainingTime">Time spent training the head.</param>
/// <param name="FeaturesFromCache">True when the body's features came from the user cache (see <see cref="PetClassifier.Train"/>).</param>
/// <param name="FeatureCacheNote">Why the feature cache could not be read or written (training went on without it); null when all went well.</param>
public sealed record PetClassifierTraining(PetClassifier Classifier, IReadOnlyList<EpochReport> History, TimeSpan FeatureTime, TimeSpan TrainingTime,
    bool FeaturesFromCache = false, string? FeatureCacheNote = null)
{
    /// <summary>
    /// The trained classifier's class probabilities for each validation photo, in the split's order, from the body features
    /// training validated on (no forward pass of the body: the same as <see cref="PetClassifier.Probabilities"/> to ~1e-5).
    /// </summary>
    public IReadOnlyList<float[]> ValidationProbabilities { get; init; } = [];
}
