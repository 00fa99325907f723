using Google.Protobuf;
using CamNotebooks.Model;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using static TorchSharp.torch;

namespace CamNotebooks.Tests.Model;

/// <summary>
/// The original: the package's two ONNX graphs run by ONNX Runtime. The network graph is edited in memory so that its spatial
/// and batch sizes are free and the layer4 activations (the last ReLU before the pooling) are an extra output.
/// </summary>
internal sealed class OnnxReference : IDisposable
{
    /// <summary>The last ReLU of layer4 in the CNTK graph (input of the final AveragePool).</summary>
    public const string Layer4Output = "ReLU393_Output_0";

    private readonly InferenceSession preprocess;
    private readonly InferenceSession body;
    private readonly string bodyInput;
    private readonly string pooledOutput;

    public OnnxReference(ResNetModelFiles files)
    {
        var options = new SessionOptions();
        // On 2 cores, spinning worker threads steal the CPU from everything else.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        preprocess = new InferenceSession(files.PreprocessPath, options);

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(files.BodyPath));
        var graph = model.Graph;
        var input = graph.Input.Single(i => graph.Initializer.All(t => t.Name != i.Name));
        bodyInput = input.Name;
        pooledOutput = graph.Output.Single().Name;
        SetFreeShape(input, 3, "H", "W");
        SetFreeShape(graph.Output[0], 512, "h", "w");
        graph.ValueInfo.Clear();
        var layer4 = new ValueInfoProto { Name = Layer4Output, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } };
        SetFreeShape(layer4, 512, "h4", "w4");
        graph.Output.Add(layer4);
        body = new InferenceSession(model.ToByteArray(), options);
        options.Dispose();
    }

    /// <summary>Declares [N, channels, height, width] with free N, height and width.</summary>
    private static void SetFreeShape(ValueInfoProto value, long channels, string height, string width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = channels });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = height });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = width });
        value.Type.TensorType.Shape = shape;
    }

    /// <summary>ResNetPreprocess.onnx on one RGB 0..255 image [1, 3, 224, 224].</summary>
    public float[] Preprocess(float[] rgb)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(rgb, [1, 3, 224, 224]);
        using var runOptions = new RunOptions();
        using var outputs = preprocess.Run(runOptions, [preprocess.InputNames[0]], [value], [preprocess.OutputNames[0]]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>ResNet18.onnx on a normalised batch: layer4 activations and their shape, and the pooled output.</summary>
    public (float[] Layer4, long[] Layer4Shape, float[] Pooled) Body(float[] normalized, long[] shape)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(normalized, shape);
        using var runOptions = new RunOptions();
        using var outputs = body.Run(runOptions, [bodyInput], [value], [Layer4Output, pooledOutput]);
        return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[0].GetTensorTypeAndShape().Shape,
            outputs[1].GetTensorDataAsSpan<float>().ToArray());
    }

    public static float[] ToArray(Tensor tensor) => tensor.contiguous().data<float>().ToArray();

    public void Dispose()
    {
        preprocess.Dispose();
        body.Dispose();
    }
}
