using CamNotebooks.Book.Rendering;
using CamNotebooks.Evaluation;
using CamNotebooks.Maps;
using CamNotebooks.Model;

namespace CamNotebooks.Tests.Evaluation;

/// <summary>
/// The book explorer's precomputation (<see cref="MapExplorer"/>) on the real body with a seeded head: every combination is
/// there, each score is the library's pointing game of the same map, and the book reads back what the library wrote.
/// </summary>
/// <remarks>In the explorer's browser test's collection: the two compute maps on the same kind of fixture, one after the other.</remarks>
[Collection(Notebooks.StockKernelCollection.Name)]
public class MapExplorerTests(UntrainedClassifierFixture fixture) : IClassFixture<UntrainedClassifierFixture>
{
    [Fact]
    public void The_explorer_offers_every_block_and_stage_of_the_body_shallow_to_deep()
    {
        Assert.Equal(ResNetBody.BlocksPerStage.Sum(), MapExplorer.Layers.Count);
        Assert.Equal(
            ["body.layer1.0", "body.layer1", "body.layer2.0", "body.layer2", "body.layer3.0", "body.layer3", "body.layer4.0", "body.layer4.1", "body.layer4"],
            MapExplorer.Layers.Select(l => l.Name));
        Assert.Equal("layer4 (= layer4.2)", MapExplorer.Layers[^1].Label);
    }

    [Fact]
    public void Every_photo_class_layer_and_method_has_a_map_whose_score_is_the_pointing_game_of_that_map()
    {
        var set = fixture.Set;
        ExplorerLayer[] layers = [MapExplorer.Layers[4], MapExplorer.Layers[^1]]; // a block (14x14) and the last stage (7x7)
        var data = MapExplorer.Compute(fixture.Model, set, new ExplorerOptions(Layers: layers));

        Assert.Equal(CamMethods.All.Select(m => m.Name), data.Methods.Select(m => m.Name));
        // Only the methods that run the model once per channel (Score-CAM) are left out, by their kind, without running them.
        var scoring = CamMethods.All.Where(m => m.ScoresInputs).Select(m => m.Name).ToHashSet();
        Assert.NotEmpty(scoring);
        Assert.All(data.Methods, m => Assert.True(scoring.Contains(m.Name) == m.Excluded is not null, $"{m.Name}: {m.Excluded ?? "kept"}"));
        var expected = (from photo in Enumerable.Range(0, set.Count)
                        from c in Enumerable.Range(0, 2)
                        from layer in layers
                        from method in CamMethods.All.Where(m => m.AppliesTo(layer.Name) && !m.ScoresInputs)
                        select (photo, c, layer.Name, method.Name)).ToHashSet();
        Assert.Equal(expected, data.Maps.Select(m => (m.Photo, m.ClassIndex, m.Layer, m.Method)).ToHashSet());
        Assert.Equal(expected.Count, data.Maps.Count);
        Assert.DoesNotContain(data.Maps, m => m.Method == ClassActivationMap.Method.Name && m.Layer != ClassifierMaps.LastStage);

        Assert.All(data.Maps, m => Assert.InRange(m.PointingHead, 0, 1));
        Assert.All(data.Maps, m => Assert.Equal([0xFF, 0xD8], m.Jpeg[..2])); // JPEG
        foreach (var method in CamMethods.All.Where(m => !m.ScoresInputs))
            foreach (var layer in layers.Where(l => method.AppliesTo(l.Name)))
                for (int c = 0; c < 2; c++)
                {
                    var upsampled = method.ComputeUpsampled(fixture.Model, layer.Name, set.Inputs, [c, c]);
                    for (int photo = 0; photo < set.Count; photo++)
                    {
                        var map = data.Maps.Single(m => m.Photo == photo && m.ClassIndex == c && m.Layer == layer.Name && m.Method == method.Name);
                        Assert.Equal(LocalizationMetrics.PointingHit(upsampled[photo], set.HeadBoxes[photo]), map.PointingHead, 9);
                        Assert.Equal(upsampled[photo].Cast<float>().Max(), upsampled[photo][map.PeakY, map.PeakX]);
                    }
                }
        // The maps are not all alike: the layers disagree somewhere.
        Assert.True(data.Maps.Select(m => m.PointingHead).Distinct().Count() > 1 || data.Maps.Select(m => (m.PeakX, m.PeakY)).Distinct().Count() > 1);
    }

    [Fact]
    public void What_the_library_writes_the_book_reads_back()
    {
        var set = fixture.Set;
        var data = MapExplorer.Compute(fixture.Model, set, new ExplorerOptions(Layers: [MapExplorer.Layers[^1]]));
        string folder = Path.Combine(Path.GetTempPath(), "camnb-explorer-" + Guid.NewGuid().ToString("N"));
        data.WriteTo(folder);
        var site = ExplorerSite.Read(folder);
        Assert.Equal(data.ClassNames, site.ClassNames);
        Assert.Equal(data.Photos.Select(p => (p.FileName, p.Label)), site.Photos.Select(p => (p.FileName, p.Label)));
        Assert.Equal(data.Photos.Select(p => p.HeadBox.ToArray()), site.Photos.Select(p => p.HeadBox.ToArray()));
        Assert.Equal(data.Maps.Select(m => (m.Photo, m.ClassIndex, m.Layer, m.Method, m.PointingHead, m.PeakX, m.PeakY)),
            site.Maps.Select(m => (m.Photo, m.ClassIndex, m.Layer, m.Method, m.PointingHead, m.PeakX, m.PeakY)));
        Assert.Equal(data.Maps.Select(m => m.Jpeg), site.Images().Select(i => i.Bytes));
        // The head box on the crop is the mask's extent.
        var box = site.Photos[0].HeadBox;
        Assert.True(set.HeadBoxes[0][box[1], box[0]] && set.HeadBoxes[0][box[3] - 1, box[2] - 1]);
    }

    [Fact]
    public void A_method_left_out_by_name_or_by_its_cost_is_named_with_the_reason_and_has_no_maps()
    {
        var set = fixture.Set;
        var byName = MapExplorer.Compute(fixture.Model, set, new ExplorerOptions(Layers: [MapExplorer.Layers[^1]], ExcludedMethods: [LayerCam.Method.Name]));
        Assert.DoesNotContain(byName.Maps, m => m.Method == LayerCam.Method.Name);
        Assert.Contains("left out", byName.Methods.Single(m => m.Name == LayerCam.Method.Name).Excluded);
        Assert.Contains(byName.Maps, m => m.Method == GradCam.Method.Name);

        var tooCostly = MapExplorer.Compute(fixture.Model, set, new ExplorerOptions(Layers: [MapExplorer.Layers[^1]], MaxCost: 0.01));
        Assert.Empty(tooCostly.Maps);
        Assert.All(tooCostly.Methods, m => Assert.Contains("plain forward passes", m.Excluded));
        Assert.All(tooCostly.Methods.Where(m => CamMethods.All.Single(c => c.Name == m.Name) is { ScoresInputs: false }),
            m => Assert.True(m.Cost > 0.01));
    }
}
