using System.Text;
using Microsoft.DotNet.Interactive.Formatting;
using TorchSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Heatmaps;

/// <summary>
/// Teaches a Polyglot Notebook how to show this library's objects; <see cref="CamEnvironment.Initialize"/> calls <see cref="Register"/>.
/// </summary>
public static class Formatters
{
    /// <summary>
    /// Registers HTML for <see cref="HeatmapOverlay"/> (the picture with its caption), <see cref="Imaging.DisplayImage"/> and <see cref="MapTable"/>, and a compact one-line text form for tensors
    /// (shape, dtype, device, min/mean/max; the values themselves when there are at most 16).
    /// </summary>
    public static void Register()
    {
        Formatter.Register<HeatmapOverlay>((overlay, writer) => writer.Write(overlay.ToHtml()), HtmlFormatter.MimeType);
        Formatter.Register<Imaging.DisplayImage>((image, writer) => writer.Write(image.ToHtml()), HtmlFormatter.MimeType);
        Formatter.Register<MapTable>((table, writer) => writer.Write(table.ToHtml()), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(Tensor), PlainTextFormatter.MimeType);
        Formatter.Register<Tensor>((t, writer) => writer.Write(Describe(t)), PlainTextFormatter.MimeType);
    }

    /// <summary>A one-line summary of a tensor, e.g. <c>Tensor [1, 512, 7, 7] Float32 cpu, min 0 mean 0.8 max 11.2</c>.</summary>
    public static string Describe(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.IsInvalid) return "Tensor (disposed)";
        var text = new StringBuilder($"Tensor [{string.Join(", ", tensor.shape)}] {tensor.dtype} {tensor.device}");
        if (tensor.requires_grad) text.Append(", requires grad");
        if (tensor.numel() == 0) return text.ToString();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var values = tensor.detach().cpu();
        if (values.dtype == ScalarType.Bool) values = values.to(ScalarType.Int32);
        if (values.is_complex()) return text.ToString();
        var asDouble = values.to(ScalarType.Float64);
        text.Append($", min {asDouble.min().item<double>():G4} mean {asDouble.mean().item<double>():G4} max {asDouble.max().item<double>():G4}");
        if (values.numel() <= 16)
            text.Append(": ").Append(values.ToString(TorchSharp.TensorStringStyle.Julia, fltFormat: "G4").ReplaceLineEndings(" ").Trim());
        return text.ToString();
    }
}
