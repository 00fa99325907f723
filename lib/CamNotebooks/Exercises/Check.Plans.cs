namespace CamNotebooks.Exercises;

public static partial class Check
{
    /// <summary>What each check tests, shown with "not yet implemented" so the reader knows what is demanded.</summary>
    private static readonly Dictionary<string, string[]> Plans = new()
    {
        [ForwardHookTitle] =
        [
            "a hand-built conv followed by an in-place ReLU: your hook stores the conv's output (not its input), as a copy the ReLU cannot change, detached from the graph",
            "the model's output is unchanged with your hook on",
            "Dispose removes the hook",
            "the real ResNet's layer4 on two photos in turn: the latest pass's output is stored, and Dispose removes the hook",
        ],
        [CamTitle] =
        [
            "hand-built cases (3 channels on a 2x3 grid; 4 channels on a non-square 3x5 grid with 3 classes), values of both signs",
            "the real layer4 activations of the cat and the dog photo with the trained head's weights, for a class other than the predicted one too",
            "the map [h, w] equals the weighted sum of the channels at each position (any correct way: einsum, matmul, loops, broadcasting)",
            "the raw values: no averaging, scaling to 0..1, clamping, softmax or ReLU; the right class; rows and columns in place",
            "float32 result; the activations and weights you were given are unchanged",
        ],
        [BackwardHookTitle] =
        [
            "a hand-built network and the real ResNet's layer3, two classes in turn",
            "the model's output and the gradient reaching the input are unchanged with your hook on",
            "the stored tensor is the gradient of the layer's output (not the activations, not the input's gradient), the latest one, detached",
            "Dispose removes the hook",
        ],
        [GradCamTitle] =
        [
            "a hand-built network; a network with batch normalisation handed over in training mode; the real classifier at layer4 (both classes, two photos) and layer3",
            "the map [h, w] at the layer's resolution equals Grad-CAM of the class's raw score, explained in eval mode (any correct way: hooks, autograd.grad, eval() first)",
            "the map is detached; the image is unchanged (values and requires_grad)",
            "the model is left as it was: batch-norm statistics, weights, modes (eval() is fine), requires_grad, no hooks left; autograd is left switched on (the check restores all of it either way)",
        ],
        [OverlayTitle] =
        [
            "a hand-built non-square 4x6 image with a 2x3 map, the cat photo with its Grad-CAM map, and a 160x224 crop",
            "the map scaled to 0..1 (min-max), stretched bilinearly to the image, coloured, and mixed with the photo by alpha",
            "a picture [3, H, W] of 0..255; the image and map you were given are unchanged",
        ],
        [KeepdimTitle] =
        [
            "a trap case where weights lined up on the wrong dimensions still fit (N = h, K = w)",
            "the real layer4 activations and gradients of two photos, and of one photo",
            "one map per image [N, h, w]: each image's own channel weights, the weighted sum, its positive part; inputs unchanged",
        ],
        [TextCamTitle] =
        [
            "a hand-built sentence (7 words, 4 channels, 3 classes, values of both signs) and a mail-sized case (128 positions, 32 channels), both classes",
            "the map [L] equals the library's CAM of the sentence as a 1 x L grid: the weighted sum of the channels at each word (any correct way: einsum, matmul, broadcasting)",
            "the raw values: no averaging, clamping or ReLU; the right class; one value per word, not a [1, L] grid",
            "float32 result; the activations and weights you were given are unchanged",
        ],
        [FromScratchTitle] =
        [
            "finds your pieces by the specification's names: class ActivationHook, class GradientHook, static class MyMaps with Cam, GradCam and Overlay (and says what it could not find)",
            "ActivationHook: exercise 1's criteria (a copy of the output, detached, the latest pass, removed on Dispose), on a hand-built net and the real layer4",
            "GradientHook: exercise 3's criteria (the gradient of the output, passed on unchanged, the latest, detached, removed on Dispose), on a hand-built net and the real layer3",
            "MyMaps.Cam: exercise 2's criteria, on hand-built cases and the real layer4 for both classes",
            "MyMaps.GradCam: exercise 4's criteria, on a hand-built net, a batch-norm net in training mode, and the real layer4 and layer3",
            "MyMaps.Overlay: exercise 5's criteria, on hand-built images and the real photo",
            "every piece leaves the real network as it was (statistics, weights, modes — eval() is fine, as in exercise 4 —, requires_grad, hooks); the check restores it either way",
            "end to end: your Grad-CAM of layer4 and of layer3 drawn with your overlay on the cat photo equals the library's picture",
        ],
    };
}
