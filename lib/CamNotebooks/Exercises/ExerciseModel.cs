using CamNotebooks.Learning;
using CamNotebooks.Model;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Exercises;

/// <summary>
/// The exercises' classifier as a plain module: <c>body</c> (the frozen ResNet), global average pooling, <c>head</c> (the
/// trained Linear layer), the same network and weights as <see cref="ExerciseData.Classifier"/>.
/// </summary>
/// <remarks>
/// <see cref="PetClassifier"/> runs its forward pass in a dispose scope, which would free tensors that a hand-written hook
/// keeps with a plain <c>output.detach().clone()</c> (the library's hooks take theirs out of the scope). Exercises should be
/// about hooks and maps, not dispose scopes, so the learner's code gets this model, whose forward opens none.
/// </remarks>
internal sealed class ExerciseModel : Module<Tensor, Tensor>
{
    private readonly ResNetBody body;
    private readonly Linear head;

    public ExerciseModel(PetClassifier classifier) : base("PetClassifier")
    {
        body = classifier.Body;
        head = classifier.HeadLinear;
        RegisterComponents();
        eval();
    }

    public override Tensor forward(Tensor images)
    {
        using var activations = body.call(images);
        using var pooled = activations.mean([2, 3]);
        return head.call(pooled);
    }
}
