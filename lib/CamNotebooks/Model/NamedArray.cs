namespace CamNotebooks.Model;

/// <summary>One converted weight tensor: its TorchSharp state-dict name, shape and float32 values (row-major).</summary>
/// <param name="Name">State-dict name, e.g. <c>layer4.2.bn2.running_var</c>.</param>
/// <param name="Shape">Dimensions.</param>
/// <param name="Values">Values in row-major order; length is the product of <paramref name="Shape"/>.</param>
internal sealed record NamedArray(string Name, long[] Shape, float[] Values);
