using System.Collections;
using System.Diagnostics;
using System.Reflection;
using CamNotebooks.Data;
using CamNotebooks.Evaluation;
using CamNotebooks.Hooks;
using CamNotebooks.Learning;
using CamNotebooks.Maps;
using CamNotebooks.Model;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Bench;

/// <summary>
/// What hooks and maps cost, side by side in one run, as ratios to a plain forward pass of the classifier (body + head):
/// batch 1 and 16, median of repeated runs after warm-up. Also ONNX Runtime on the original file as the peer, a naive
/// Grad-CAM (full backward computing every parameter's gradient), and a 1,000-iteration Grad-CAM memory loop.
/// </summary>
/// <remarks>The head is untrained (seeded): speed does not depend on the weights' values, and training would cost 15 s.</remarks>
internal static class SpeedBenchmark
{
    private const int WarmUpRuns = Timing.WarmUpRuns;

    public static int Run(BenchArguments options)
    {
        using var pretrained = PretrainedResNet.Load();
        using var model = new PetClassifier(pretrained, new LinearHead(seed: 0));
        var photos = PetsDataset.Load().Split().Validation.Take(16).ToList();
        using var set = EvaluationSet.Load(model, photos);
        var inputs = new[] { set.Inputs[..1].contiguous(), set.Inputs };
        Console.WriteLine($"Machine: {Environment.ProcessorCount} logical cores, load average {LoadAverage()}; libtorch {__version__}");

        var threads = options.Threads ?? FastestThreads(model, inputs, options.Runs);
        set_num_threads(threads);
        Console.WriteLine($"TorchSharp threads: {threads}" + (options.Threads is null ? " (the faster of 1 and 2 for a plain forward, summed over both batches)" : " (--threads)"));
        Console.WriteLine($"Median of {options.Runs} runs after {WarmUpRuns} warm-up runs, measurements interleaved round-robin; inputs: real validation photos, 224x224.");
        Console.WriteLine();

        var files = ResNetModelFiles.Locate(null);
        using var onnx = new ModelBenchmark.OnnxBody(files.BodyPath, threads);
        using var folded = model.Body.FoldBatchNorm();
        var measurements = new List<(string Name, string Target, Action<Tensor> Action)>
        {
            ("plain forward (the unit)", "", x => Forward(model, x)),
            ("forward with a Hook on body.layer4", "<= 1.02", x =>
            {
                using var hook = new Hook(model.Body.Layer4);
                Forward(model, x);
            }),
            ("naive Grad-CAM body.layer4 (full backward)", "", x => NaiveGradCam(model, model.Body.Layer4, x).Dispose()),
            ("TorchSharp body only (pooled features)", "", x =>
            {
                using var noGrad = no_grad();
                model.Body.Features(x).Dispose();
            }),
            ("TorchSharp body, batch norm folded", "", x =>
            {
                using var noGrad = no_grad();
                folded.Features(x).Dispose();
            }),
        };
        // Every map method end to end after the two hook rows: on the last stage, and on layer3 where the method applies.
        measurements.InsertRange(2, ClassifierMaps.Pairs([ClassifierMaps.LastStage, "body.layer3"]).Select(pair =>
            ($"{pair.Method.Name} {pair.Layer}", MapTarget(pair.Method, pair.Layer),
             (Action<Tensor>)(x => pair.Method.Compute(model, pair.Layer, x, head: model.HeadLinear).Dispose()))));
        var onnxInputs = inputs.Select(x => x.data<float>().ToArray()).ToArray();
        measurements.Add(("ONNX Runtime body only (original file)", "", x => onnx.Run(onnxInputs[x.shape[0] == 1 ? 0 : 1], x.shape)));
        var medians = Timing.Interleaved(measurements.Select(m => m.Action).ToList(), inputs, options.Runs);
        var rows = measurements.Select((m, i) => (m.Name, m.Target, Ms: medians[i])).ToList();

        var unit = rows[0].Ms;
        var table = new TextTable("measurement", "ms batch 1", "x plain", "ms batch 16", "x plain", "target");
        foreach (var (name, target, ms) in rows)
            table.Add(name, TextTable.Number(ms[0], "0.0"), TextTable.Number(ms[0] / unit[0], "0.00"),
                TextTable.Number(ms[1], "0.0"), TextTable.Number(ms[1] / unit[1], "0.00"), target);
        Console.Write(table);
        var torchBody = rows[^3].Ms;
        var foldedBody = rows[^2].Ms;
        var ort = rows[^1].Ms;
        Console.WriteLine($"TorchSharp / ONNX Runtime (body only, same input; target <= 1.3): batch 1 {torchBody[0] / ort[0]:0.00}, batch 16 {torchBody[1] / ort[1]:0.00}; " +
            $"batch norm folded: batch 1 {foldedBody[0] / ort[0]:0.00}, batch 16 {foldedBody[1] / ort[1]:0.00}");
        Console.WriteLine();

        TrustMethods(model, inputs[0], Math.Min(options.Runs, 3));
        Console.WriteLine();

        MemoryLoop(model, inputs[0], options.Iterations);
        inputs[0].Dispose();
        return 0;
    }

    /// <summary>
    /// Chapter 07's methods, batch 1, as ratios to a plain forward and to Grad-CAM, timed round-robin in one run: the
    /// gradient-free references (occlusion, and every method that scores masked inputs, i.e. Score-CAM) cost one forward pass
    /// per patch or channel, so they get one warm-up and few runs.
    /// </summary>
    private static void TrustMethods(PetClassifier model, Tensor input, int runs)
    {
        var rows = new List<(string Name, Action Action)>
        {
            ("plain forward (the unit)", () => Forward(model, input)),
            ("Grad-CAM body.layer4", () => GradCam.Compute(model, model.Body.Layer4, input).Dispose()),
            ("guided backprop (input gradient)", () => GuidedBackprop.Gradients(model, input).Dispose()),
            ("guided Grad-CAM body.layer4", () => GuidedBackprop.GuidedGradCam(model, model.Body.Layer4, input).Dispose()),
            ("occlusion (56 px patch, stride 28: 49 positions)", () => Occlusion.Compute(model, input).Dispose()),
        };
        rows.AddRange(CamMethods.All.Where(m => m.ScoresInputs).Select(m =>
            ($"{m.Name} {ClassifierMaps.LastStage}", (Action)(() => m.Compute(model, ClassifierMaps.LastStage, input).Dispose()))));
        foreach (var row in rows) row.Action();
        var medians = Timing.Interleaved(rows.Select(r => (Action<int>)(_ => r.Action())).ToList(), [0], runs: runs, warmUpRuns: 0);
        var table = new TextTable("chapter 07 method (batch 1)", "ms", "x plain forward", "x Grad-CAM");
        for (int i = 0; i < rows.Count; i++)
            table.Add(rows[i].Name, TextTable.Number(medians[i][0], "0.0"), TextTable.Number(medians[i][0] / medians[0][0], "0.0"),
                TextTable.Number(medians[i][0] / medians[1][0], "0.00"));
        Console.WriteLine($"Chapter 07's methods, batch 1, median of {runs} runs after one warm-up, interleaved:");
        Console.Write(table);
    }

    /// <summary>The ratio to a plain forward a map should stay within on the last stage: a forward with a hook for the methods
    /// without gradients, plus a backward through the last stage (batch 1) for the others. Inner layers have no target.</summary>
    private static string MapTarget(CamMethod method, string layer) =>
        layer != ClassifierMaps.LastStage ? "" : method.NeedsGradients ? "<= 1.5 (batch 1)" : "<= 1.10";

    private static void Forward(PetClassifier model, Tensor x)
    {
        using var noGrad = no_grad();
        model.call(x).Dispose();
    }

    /// <summary>
    /// Grad-CAM the way a first attempt in PyTorch does it: every parameter requires a gradient, backward() from the score,
    /// read the layer output's retained gradient. Autograd then records the whole network and computes every weight's gradient.
    /// </summary>
    private static Tensor NaiveGradCam(PetClassifier model, Module<Tensor, Tensor> layer, Tensor x)
    {
        using var scope = NewDisposeScope();
        var parameters = model.parameters().ToList();
        var before = parameters.Select(p => p.requires_grad).ToList();
        foreach (var p in parameters) p.requires_grad = true;
        Tensor? activations = null;
        var remover = layer.register_forward_hook((_, _, output) =>
        {
            output.retain_grad();
            // The model disposes its own handle (and its forward's dispose scope everything made inside); this alias keeps the
            // same tensor, and so its retained .grad, until we are done.
            activations = output.alias().DetachFromDisposeScope();
            return null!;
        });
        try
        {
            var logits = model.call(x);
            var classes = logits.argmax(1, keepdim: true);
            logits.gather(1, classes).sum().backward();
            using var noGrad = no_grad();
            return GradCam.Formula(activations!.detach(), activations!.grad!).MoveToOuterDisposeScope();
        }
        finally
        {
            remover.remove();
            activations?.Dispose();
            model.zero_grad();
            for (int i = 0; i < parameters.Count; i++) parameters[i].requires_grad = before[i];
        }
    }

    private static void MemoryLoop(PetClassifier model, Tensor input, int iterations)
    {
        var process = Process.GetCurrentProcess();
        for (int i = 0; i < 50; i++) GradCam.Compute(model, model.Body.Layer4, input).Dispose();
        long Settled()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            process.Refresh();
            return process.WorkingSet64;
        }
        var start = Settled();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++) GradCam.Compute(model, model.Body.Layer4, input).Dispose();
        var elapsed = clock.Elapsed;
        var end = Settled();
        int hooksNow = RegisteredHooks(model);
        using (new Hook(model.Body.Layer4)) Console.WriteLine(
            $"Grad-CAM memory loop: {iterations} Grad-CAMs (batch 1, body.layer4) in {elapsed.TotalSeconds:0.0} s; working set " +
            $"{start / 1048576.0:0} MB -> {end / 1048576.0:0} MB (growth {(end - start) / 1048576.0:+0;-0;0} MB); hooks left registered: " +
            $"{hooksNow} (the counter reads {RegisteredHooks(model)} while one Hook is attached, so it does see hooks)");
    }

    /// <summary>Forward hooks registered on any module of the model, read from TorchSharp's private hook dictionaries.</summary>
    private static int RegisteredHooks(TorchSharp.torch.nn.Module model)
    {
        int count = 0;
        foreach (var module in model.modules().Prepend(model))
            for (var type = module.GetType(); type is not null; type = type.BaseType)
                foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    if (field.Name.Contains("hook", StringComparison.OrdinalIgnoreCase) && field.GetValue(module) is ICollection hooks)
                        count += hooks.Count;
        return count;
    }

    private static int FastestThreads(PetClassifier model, Tensor[] inputs, int runs)
    {
        var totals = new Dictionary<int, double>();
        foreach (var threads in new[] { 1, 2 })
        {
            set_num_threads(threads);
            totals[threads] = inputs.Sum(x => Timing.Median(runs, () => Forward(model, x)));
            Console.WriteLine($"  plain forward with {threads} thread(s): batch 1 + batch 16 = {totals[threads]:0} ms");
        }
        return totals.MinBy(t => t.Value).Key;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
