using CamNotebooks.Imaging;
using CamNotebooks.Model;
using static TorchSharp.torch;

// A learner's first program with the library: load the pretrained ResNet and run it on a photo.
// Usage: CamNotebooks.Consumer <photo>
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: CamNotebooks.Consumer <photo>");
    return 2;
}

using var model = PretrainedResNet.Load();
using var photo = ImageLoader.Load(args[0], ImageResize.CenterCrop(224));
using var input = model.Preprocessing.Normalize(photo).unsqueeze(0);
using var _ = no_grad();
using var features = model.Body.call(input);
Console.WriteLine(model);
Console.WriteLine($"features [{string.Join(", ", features.shape)}], mean {features.mean().item<float>():F4}");
return 0;
