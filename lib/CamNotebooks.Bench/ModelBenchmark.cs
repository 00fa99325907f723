using System.Diagnostics;
using CamNotebooks.Model;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Bench;

/// <summary>
/// Times the pretrained ResNet: weight conversion (forced by an empty temporary cache), cached load, and the forward pass of
/// the TorchSharp port against ONNX Runtime on the same input in the same process.
/// </summary>
internal static class ModelBenchmark
{
    private const int WarmUpRuns = Timing.WarmUpRuns;

    public static int Run(ModelBenchmarkOptions options)
    {
        var cache = Directory.CreateTempSubdirectory("camnotebooks-bench-cache-").FullName;
        try
        {
            Console.WriteLine($"Machine: {Environment.ProcessorCount} logical cores; libtorch {__version__}; ONNX Runtime {OrtEnv.Instance().GetVersionString()}");
            var clock = Stopwatch.StartNew();
            using (var first = PretrainedResNet.Load(options.OnnxDirectory, cache))
                Console.WriteLine($"Weight conversion (first load, empty cache): {clock.Elapsed.TotalSeconds:0.00} s  [from cache: {first.Report.FromCache}]");
            clock.Restart();
            using var model = PretrainedResNet.Load(options.OnnxDirectory, cache);
            Console.WriteLine($"Cached load:                                  {clock.Elapsed.TotalSeconds:0.00} s  [from cache: {model.Report.FromCache}]");

            var files = ResNetModelFiles.Locate(options.OnnxDirectory);
            manual_seed(0);
            using var images = rand(16, 3, 224, 224) * 255;
            using var input16 = model.Preprocessing.Normalize(images);
            using var input1 = input16[..1].contiguous();
            using var folded = model.Body.FoldBatchNorm();
            Console.WriteLine($"Forward pass at 224x224 to the pooled features, median of {options.Runs} runs after {WarmUpRuns} warm-up runs, the three bodies timed round-robin.");
            Console.WriteLine($"OpenMP waiting: {CamNotebooks.Setup.RuntimeSetup.Ensure().OpenMpWaitPolicy}. Target: TorchSharp within 1.3x of ONNX Runtime.");
            Console.WriteLine("  port = the chapters' body (batch norm modules); folded = ResNetBody.FoldBatchNorm() (what ONNX Runtime does on load)");
            Console.WriteLine("threads  batch  port ms  folded ms  ONNX Runtime ms  port/ORT  folded/ORT  port ms/image  max |diff| pooled port, folded");
            foreach (var threads in options.Threads)
            {
                set_num_threads(threads);
                using var onnx = new OnnxBody(files.BodyPath, threads);
                var inputs = new[] { input1, input16 };
                var inputValues = inputs.Select(x => x.data<float>().ToArray()).ToArray();
                var results = new Dictionary<(int Body, long Batch), float[]>();
                void TorchSharp(int index, nn.Module<Tensor, Tensor> body, Tensor input)
                {
                    using var noGrad = no_grad();
                    using var activations = body.call(input);
                    using var features = ResNetBody.Pool(activations);
                    results[(index, input.shape[0])] = features.data<float>().ToArray();
                }
                var medians = Timing.Interleaved<Tensor>(
                [
                    x => TorchSharp(0, model.Body, x),
                    x => TorchSharp(1, folded, x),
                    x => results[(2, x.shape[0])] = onnx.Run(inputValues[x.shape[0] == 1 ? 0 : 1], x.shape),
                ], inputs, options.Runs);
                for (var b = 0; b < inputs.Length; b++)
                {
                    var batch = inputs[b].shape[0];
                    var (port, fold, ort) = (medians[0][b], medians[1][b], medians[2][b]);
                    var onnxValues = results[(2, batch)];
                    float Diff(int body) => results[(body, batch)].Zip(onnxValues, (a, c) => Math.Abs(a - c)).Max();
                    Console.WriteLine($"{threads,7}  {batch,5}  {port,7:0.0}  {fold,9:0.0}  {ort,15:0.0}  {port / ort,8:0.00}  {fold / ort,10:0.00}  {port / batch,13:0.0}  {Diff(0),10:E1}, {Diff(1):E1}");
                }
            }
            Console.WriteLine($"Peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):0} MB");
            return 0;
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }


    /// <summary>ResNet18.onnx in ONNX Runtime with a free batch size; returns the pooled features [N * 512].</summary>
    internal sealed class OnnxBody : IDisposable
    {
        private readonly InferenceSession session;
        private readonly string inputName;

        public OnnxBody(string path, int threads)
        {
            var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
            var graph = model.Graph;
            var input = graph.Input.Single(i => graph.Initializer.All(t => t.Name != i.Name));
            inputName = input.Name;
            input.Type.TensorType.Shape.Dim[0].DimParam = "N";
            graph.Output[0].Type.TensorType.Shape.Dim[0].DimParam = "N";
            graph.ValueInfo.Clear();
            using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
            // Spinning worker threads halve the throughput on a 2-core machine.
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            session = new InferenceSession(model.ToByteArray(), options);
        }

        public float[] Run(float[] values, long[] shape)
        {
            using var value = OrtValue.CreateTensorValueFromMemory(values, shape);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, [inputName], [value], [session.OutputNames[0]]);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }

        public void Dispose() => session.Dispose();
    }
}
