using CamNotebooks;
using CamNotebooks.Data;
using CamNotebooks.Learning;
using CamNotebooks.Maps;
using CamNotebooks.Model;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

// camnb-fault-probe <scenario> [arguments]: runs one library call that used to crash or misbehave, in a process of its
// own, and prints what happened. Exit 0: the call ended in a managed way (its result or exception printed); other exit
// codes are the crash the tests look for. Every cache location comes from the environment the test sets.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: CamNotebooks.FaultProbe <scenario> [arguments]");
    return 2;
}
try
{
    switch (args[0])
    {
        case "unused-layer": UnusedLayer(); break;
        case "two-threads": TwoThreads(); break;
        case "native": Native(); break;
        case "libtorch-first": LibTorchFirst(); break;
        case "train": Train(); break;
        case "load-weights": LoadWeights(args[1]); break;
        case "write-and-hang": WriteAndHang(args[1]); break;
        // Impersonates a notebook runner that exits 0 and writes nothing (what a cell calling Environment.Exit(0) did).
        case "run": Console.WriteLine("runner impersonation: exits 0 without writing an executed notebook"); break;
        default:
            Console.Error.WriteLine($"unknown scenario '{args[0]}'");
            return 2;
    }
}
catch (Exception e)
{
    Console.WriteLine($"exception {e.GetType().FullName}: {e.Message}");
}
return 0;

// Issue 14.1: a layer that runs but does not feed the score, with an input that requires grad.
static void UnusedLayer()
{
    CamEnvironment.Initialize();
    using var net = new AuxNet();
    var result = GradCam.Compute(net, "aux", randn(1, 3, 16, 16).requires_grad_(true));
    Console.WriteLine($"result {result}");
}

// Issue 14.2: one model, two threads, Grad-CAM in a loop on each.
static void TwoThreads()
{
    CamEnvironment.Initialize();
    manual_seed(0);
    using var model = Sequential(
        ("stem", Conv2d(3, 16, 3, padding: 1)), ("relu1", ReLU()),
        ("layer3", Conv2d(16, 32, 3, padding: 1)), ("relu2", ReLU()),
        ("pool", AdaptiveAvgPool2d(1)), ("flatten", Flatten()), ("fc", Linear(32, 4)));
    var batches = new[] { randn(2, 3, 64, 64), randn(2, 3, 64, 64) };
    int done = 0;
    var errors = new System.Collections.Concurrent.ConcurrentBag<string>();
    Parallel.For(0, 2, i =>
    {
        for (int k = 0; k < 20; k++)
        {
            try
            {
                using var result = GradCam.Compute(model, "layer3", batches[i]);
                Interlocked.Increment(ref done);
            }
            catch (Exception e)
            {
                errors.Add(e.Message);
            }
        }
    });
    Console.WriteLine($"calls {done} succeeded, {errors.Count} failed");
    foreach (var message in errors.Distinct()) Console.WriteLine($"error {message}");
}

// Issue 14.3: start-up with the native cache the environment names, then real math.
static void Native()
{
    var report = CamEnvironment.Initialize();
    Console.WriteLine($"native {report.NativeFix.Description}");
    Console.WriteLine($"mapped before set-up {report.LibTorchMappedBeforeSetUp}");
    Console.WriteLine($"sum {ones(2, 2).sum().item<float>()}");
}

// Issue 15.1: libtorch is loaded by hand before anything of the library runs; the set-up must notice (and report True).
static void LibTorchFirst()
{
    string folder = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
    System.Runtime.InteropServices.NativeLibrary.Load(Path.Combine(folder, "libtorch_cpu.so"));
    Console.WriteLine($"mapped before set-up {MappedBeforeSetUp()}");
}

// Kept out of LibTorchFirst so that nothing of the library runs before the NativeLibrary.Load above.
static bool? MappedBeforeSetUp() => CamEnvironment.Initialize().LibTorchMappedBeforeSetUp;

// Issue 14.4: train with the feature cache wherever CAMNOTEBOOKS_CACHE points.
static void Train()
{
    CamEnvironment.Initialize();
    using var pretrained = PretrainedResNet.Load();
    var pets = PetsDataset.Load().Split();
    var small = new PetSplit(pets.Train.Take(6).ToList(), pets.Validation.Take(4).ToList());
    var training = PetClassifier.Train(pretrained, small, new HeadTrainingOptions { Epochs = 1 });
    Console.WriteLine($"trained epochs {training.History.Count}, from cache {training.FeaturesFromCache}, note {training.FeatureCacheNote ?? "none"}");
    training.Classifier.Dispose();
}

// Issue 14.4/14.10: load the pretrained body with the weights cache in the given folder.
static void LoadWeights(string folder)
{
    CamEnvironment.Initialize();
    using var pretrained = PretrainedResNet.Load(cacheDirectory: folder);
    Console.WriteLine($"loaded from cache {pretrained.Report.FromCache}, note {pretrained.Report.CacheNote ?? "none"}");
}

// Issue 14.10: start an atomic write of the given file, write 16 MB into the temporary file, then wait to be killed.
static void WriteAndHang(string path)
{
    CamNotebooks.IO.AtomicFile.Write(path, temporary =>
    {
        using var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        file.Write(new byte[16 << 20]);
        file.Flush(flushToDisk: true);
        Console.WriteLine("writing");
        Console.Out.Flush();
        Thread.Sleep(Timeout.Infinite);
    });
}

/// <summary>forward runs <c>aux</c> on a copy of its input and ignores the result; only <c>main</c> feeds the scores.</summary>
internal sealed class AuxNet : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> aux = Conv2d(3, 4, 3, padding: 1);
    private readonly Module<Tensor, Tensor> main = Conv2d(3, 4, 3, padding: 1);
    private readonly Module<Tensor, Tensor> fc = Linear(4, 2);

    public AuxNet() : base(nameof(AuxNet)) => RegisterComponents();

    public override Tensor forward(Tensor x)
    {
        using var ignored = aux.call(x);
        return fc.call(main.call(x).mean([2, 3]));
    }
}
