namespace CamNotebooks.Book.Rendering;

/// <summary>What the book calls itself.</summary>
/// <param name="Title">Shown on every page and as the index heading.</param>
/// <param name="Subtitle">Shown under the index heading; may be empty.</param>
public sealed record BookSettings(string Title, string Subtitle)
{
    /// <summary>The notebooks (relative paths) whose pages point to the explorer, when the book has one.</summary>
    public IReadOnlyList<string> ExplorerLinkedFrom { get; init; } = ["03_grad_cam.dib", "05_measuring_maps.dib"];

    /// <summary>The CamNotebooks book.</summary>
    public static BookSettings Default { get; } = new("CamNotebooks", "Hooks, class activation maps and Grad-CAM in C#, with TorchSharp on a pretrained ResNet.");
}
