using System.Diagnostics;
using CamNotebooks.Maps;
using Xunit.Abstractions;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Tests.Maps;

public class SpeedTests(ITestOutputHelper output)
{
    [Fact]
    public void Grad_cam_on_the_last_stage_costs_at_most_one_and_a_half_plain_forward_passes()
    {
        // A small ResNet-shaped network: four conv stages, then pooling and a linear head.
        Module<Tensor, Tensor> Stage(int i, int o) => Sequential(Conv2d(i, o, 3, stride: 2, padding: 1), BatchNorm2d(o), ReLU(), Conv2d(o, o, 3, padding: 1), ReLU());
        var model = Sequential(("stem", Conv2d(3, 16, 3, padding: 1)), ("layer1", Stage(16, 32)), ("layer2", Stage(32, 64)),
            ("layer3", Stage(64, 96)), ("layer4", Stage(96, 128)), ("pool", AdaptiveAvgPool2d(1)), ("flatten", Flatten()), ("fc", Linear(128, 10)));
        model.eval();
        var batch = randn(2, 3, 96, 96, generator: new Generator(1));
        var actions = new (string Name, Action Run)[]
        {
            ("plain forward", () => { using (no_grad()) model.call(batch); }),
            ("Grad-CAM", () => GradCam.Compute(model, "layer4", batch).Dispose()),
            ("CAM", () => ClassActivationMap.Compute(model, "layer4", "fc", batch).Dispose()),
        };
        // Interleaved, best of 25: the machine is shared, and the fastest run is the one least disturbed.
        var best = actions.Select(_ => double.MaxValue).ToArray();
        for (int round = 0; round < 25; round++)
            for (int a = 0; a < actions.Length; a++)
            {
                using var scope = NewDisposeScope();
                var watch = Stopwatch.StartNew();
                actions[a].Run();
                best[a] = Math.Min(best[a], watch.Elapsed.TotalMilliseconds);
            }
        output.WriteLine(string.Join(", ", actions.Select((a, i) => $"{a.Name} {best[i]:0.00} ms")) + $", ratio {best[1] / best[0]:0.00}");
        Assert.True(best[1] <= 1.5 * best[0], $"Grad-CAM took {best[1]:0.00} ms against {best[0]:0.00} ms for a plain forward pass");
    }
}
