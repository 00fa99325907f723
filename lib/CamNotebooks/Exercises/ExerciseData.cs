using CamNotebooks.Data;
using CamNotebooks.Imaging;
using CamNotebooks.Learning;
using CamNotebooks.Model;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Exercises;

/// <summary>
/// The real network and photos the exercises and their checks use, loaded once per process: the pretrained ResNet body
/// with a cats-vs-dogs head trained in about two seconds on one photo per breed (good enough for meaningful maps).
/// </summary>
public static class ExerciseData
{
    private static readonly Lazy<PetsDataset> Pets = new(() => PetsDataset.Load());
    private static readonly Lazy<PetClassifier> SmallClassifier = new(Train);

    /// <summary>The hero photo, a Bengal cat.</summary>
    public const string CatPhoto = "Bengal_109.jpg";

    /// <summary>A beagle.</summary>
    public const string DogPhoto = "beagle_10.jpg";

    /// <summary>
    /// The pretrained body (frozen) with a linear head trained on 37 photos (one per breed), seeded. Class 0 = dog, 1 = cat;
    /// layers are named <c>body.layer1</c>..<c>body.layer4</c> and <c>head.linear</c>.
    /// </summary>
    public static PetClassifier Classifier => SmallClassifier.Value;

    /// <summary>
    /// The same classifier as a plain module (layers <c>body.layer1</c>..<c>body.layer4</c>): images [N, 3, 224, 224] →
    /// scores [N, 2]. Its forward pass opens no dispose scope, so tensors your hooks keep stay alive.
    /// </summary>
    public static Module<Tensor, Tensor> Model => Classifier;

    /// <summary>The full path of a photo of <c>data/pets/images</c>.</summary>
    public static string PhotoPath(string fileName) => Pets.Value[fileName].FilePath;

    /// <summary>A photo as the network sees it before normalisation: RGB [3, 224, 224], 0..255 (centre crop).</summary>
    public static Tensor Photo(string fileName = CatPhoto) => ImageLoader.Load(PhotoPath(fileName), PetClassifier.InputResize);

    /// <summary>A photo ready for the classifier: normalised, as a batch [1, 3, 224, 224].</summary>
    public static Tensor Batch(string fileName = CatPhoto) => Classifier.Prepare(PhotoPath(fileName));

    /// <summary>Trains on a thread of its own: dispose scopes are per thread, and a caller's would free the weights.</summary>
    private static PetClassifier Train()
    {
        // A dedicated thread, not Task.Run: waiting on a task may run it inline, on this thread, inside the caller's scope.
        PetClassifier? classifier = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { classifier = TrainHere(); }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw new InvalidOperationException($"Could not prepare the exercises' classifier: {failure.Message}", failure);
        return classifier!;
    }

    private static PetClassifier TrainHere()
    {
        var split = Pets.Value.Split();
        var train = split.Train.GroupBy(p => p.Breed).Select(g => g.First()).ToList();
        var validation = split.Validation.GroupBy(p => p.IsCat).SelectMany(g => g.Take(2)).ToList();
        var options = new HeadTrainingOptions { Epochs = 40, BatchSize = null, Seed = 0 };
        return PetClassifier.Train(PretrainedResNet.Load(), new PetSplit(train, validation), options).Classifier;
    }
}
