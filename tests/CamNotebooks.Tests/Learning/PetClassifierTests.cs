using CamNotebooks.Data;
using CamNotebooks.Learning;
using CamNotebooks.Maps;
using CamNotebooks.Model;
using static TorchSharp.torch;

namespace CamNotebooks.Tests.Learning;

/// <summary>Trains the chapter's classifier once (real body, real photos) and shares it between the tests.</summary>
public sealed class TrainedClassifierFixture : IDisposable
{
    public TrainedClassifierFixture()
    {
        Pets = PetsDataset.Load();
        Split = Pets.Split();
        Pretrained = PretrainedResNet.Load();
        // Features computed afresh here: this fixture is what proves the real pipeline, not a cached copy of it.
        Training = PetClassifier.Train(Pretrained, Split, useFeatureCache: false);
    }

    public PetsDataset Pets { get; }
    public PetSplit Split { get; }
    public PretrainedResNet Pretrained { get; }
    public PetClassifierTraining Training { get; }

    public void Dispose()
    {
        Training.Classifier.Dispose();
        Pretrained.Dispose();
    }
}

public class PetClassifierTests(TrainedClassifierFixture fixture) : IClassFixture<TrainedClassifierFixture>
{
    private PetClassifier Classifier => fixture.Training.Classifier;

    [Fact]
    public void The_learner_makes_at_most_one_validation_error()
    {
        var last = fixture.Training.History[^1];
        int errors = (int)Math.Round(last.ErrorRate * fixture.Split.Validation.Count);
        Assert.True(errors <= 1, $"{errors} validation errors out of {fixture.Split.Validation.Count} (history: {string.Join("; ", fixture.Training.History.Select(TrainingProgress.Format))})");
        Assert.Equal(74, fixture.Split.Validation.Count);
    }

    [Fact]
    public void Predictions_through_the_whole_network_agree_with_the_trainer_on_every_validation_photo()
    {
        int wrong = 0;
        Assert.Equal(fixture.Split.Validation.Count, fixture.Training.ValidationProbabilities.Count);
        foreach (var (photo, i) in fixture.Split.Validation.Select((photo, i) => (photo, i)))
        {
            using var scope = NewDisposeScope();
            var p = Classifier.Probabilities(Classifier.Prepare(photo.FilePath));
            if (p.argmax(1).item<long>() != photo.Label) wrong++;
            // The trainer's probabilities (from the folded body's features) are the whole network's, photo by photo.
            for (int c = 0; c < PetClassifier.ClassNames.Count; c++)
                Assert.Equal(p[0, c].item<float>(), fixture.Training.ValidationProbabilities[i][c], 1e-3f);
        }
        int trainerErrors = (int)Math.Round(fixture.Training.History[^1].ErrorRate * fixture.Split.Validation.Count);
        Assert.Equal(trainerErrors, wrong);
    }

    [Fact]
    public void The_hero_cat_is_a_cat_with_probability_above_0_95()
    {
        var hero = fixture.Pets["Bengal_109.jpg"];
        using var scope = NewDisposeScope();
        var p = Classifier.Probabilities(Classifier.Prepare(hero.FilePath));
        Assert.Equal("cat", PetClassifier.ClassNames[PetsDataset.CatLabel]);
        Assert.True(p[0, PetsDataset.CatLabel].item<float>() > 0.95f, $"p(cat) = {p[0, PetsDataset.CatLabel].item<float>()}");
    }

    [Fact]
    public void Training_is_deterministic_for_a_seed_and_cached_features_give_the_same_head()
    {
        var first = PetClassifier.Train(fixture.Pretrained, fixture.Split);   // computes and caches (or reads) features
        var second = PetClassifier.Train(fixture.Pretrained, fixture.Split);  // reads them
        Assert.True(second.FeaturesFromCache);
        Assert.True(first.Classifier.Head.Weight.eq(Classifier.Head.Weight).all().item<bool>());
        Assert.True(second.Classifier.Head.Weight.eq(Classifier.Head.Weight).all().item<bool>());
    }

    [Fact]
    public void CAM_works_on_the_classifier_through_the_library()
    {
        using var scope = NewDisposeScope();
        var hero = Classifier.Prepare(fixture.Pets["Bengal_109.jpg"].FilePath);
        using var cam = ClassActivationMap.Compute(Classifier, Classifier.Body, Classifier.HeadLinear, hero, [PetsDataset.CatLabel]);
        Assert.Equal(new long[] { 1, 7, 7 }, cam.Maps.shape);
        // The map's average over positions plus the bias is the cat logit (the identity CAM rests on).
        var logit = Classifier.call(hero)[0, PetsDataset.CatLabel].item<float>();
        var fromMap = cam.Maps.mean().item<float>() + Classifier.HeadLinear.bias![PetsDataset.CatLabel].item<float>();
        Assert.Equal(logit, fromMap, 3);
    }
}

public class PetClassifierHookTests(TrainedClassifierFixture fixture) : IClassFixture<TrainedClassifierFixture>
{
    [Fact]
    public void A_plain_hook_on_the_body_keeps_a_usable_copy_after_the_forward_pass()
    {
        // What a learner writes: output.detach().clone(), kept in a variable, no dispose-scope tricks.
        var classifier = fixture.Training.Classifier;
        Tensor? kept = null;
        var remover = classifier.Body.register_forward_hook((_, _, output) => { kept = output.detach().clone(); return null!; }); // null: keep the output
        try
        {
            using (no_grad()) classifier.call(classifier.Prepare(fixture.Pets["Bengal_109.jpg"].FilePath)).Dispose();
        }
        finally { remover.remove(); }
        Assert.NotNull(kept);
        Assert.False(kept!.IsInvalid);
        Assert.Equal(new long[] { 1, 512, 7, 7 }, kept.shape);
        Assert.True(kept.sum().item<float>() > 0);
    }
}
