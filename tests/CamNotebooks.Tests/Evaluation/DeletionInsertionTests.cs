using CamNotebooks.Evaluation;
using static TorchSharp.torch;

namespace CamNotebooks.Tests.Evaluation;

public class DeletionInsertionTests
{
    // One-channel 2x2 "image" with pixel values 1, 2, 3, 4, and a stand-in for the model: "probability" = sum of the pixels / 10.
    private static Tensor Image() => tensor(new float[] { 1, 2, 3, 4 }, [1, 2, 2]);

    private static float[] SumOver10(Tensor batch) => (batch.sum([1, 2, 3]) / 10).data<float>().ToArray();

    [Fact]
    public void Pixels_are_ordered_most_positive_first_and_non_positive_ones_never_change()
    {
        var map = new float[,] { { 0.5f, -1 }, { 2, 0.5f } };
        Assert.Equal([2, 0, 3], DeletionInsertion.PixelOrder(map));
    }

    [Fact]
    public void Deletion_blanks_the_highlighted_pixels_step_by_step()
    {
        // Map ranks pixel 3 (value 4) first, then pixel 0 (value 1), then 1, then 2. Two steps: 0, 2, 4 pixels blanked.
        var map = new float[,] { { 3, 2 }, { 1, 4 } };
        var curve = DeletionInsertion.Curve(SumOver10, Image(), map, CurveKind.Deletion, steps: 2);
        // Start: 10 -> 1.0; after blanking pixels 3 and 0: 2 + 3 = 5 -> 0.5; after all: 0.
        Assert.Equal([1.0, 0.5, 0.0], curve.Select(v => Math.Round(v, 6)));
    }

    [Fact]
    public void Insertion_reveals_the_highlighted_pixels_step_by_step()
    {
        var map = new float[,] { { 3, 2 }, { 1, 4 } };
        var curve = DeletionInsertion.Curve(SumOver10, Image(), map, CurveKind.Insertion, steps: 2);
        // Start blank: 0; pixels 3 and 0 revealed: 4 + 1 = 5 -> 0.5; all: 1.0.
        Assert.Equal([0.0, 0.5, 1.0], curve.Select(v => Math.Round(v, 6)));
        Assert.Equal(0.5, DeletionInsertion.AreaUnderCurve(curve), 6);
    }

    [Fact]
    public void Deleting_by_an_all_zero_map_leaves_the_probability_unchanged()
    {
        var zero = new float[2, 2];
        Assert.All(DeletionInsertion.Curve(SumOver10, Image(), zero, CurveKind.Deletion, steps: 4), p => Assert.Equal(1.0, p, 6));
        Assert.All(DeletionInsertion.Curve(SumOver10, Image(), zero, CurveKind.Insertion, steps: 4), p => Assert.Equal(0.0, p, 6));
    }

    [Fact]
    public void Inputs_keep_the_image_layout_across_channels()
    {
        using var image = arange(12, dtype: ScalarType.Float32).reshape(3, 2, 2) + 1;
        var map = new float[,] { { 0, 1 }, { 0, 0 } }; // only pixel (0, 1) highlighted
        using var inputs = DeletionInsertion.Inputs(image, map, CurveKind.Deletion, steps: 4);
        Assert.Equal([5L, 3, 2, 2], inputs.shape);
        // Step 1 blanks round(4/4) = 1 pixel: (0, 1) in every channel; later steps have nothing more to blank.
        Assert.Equal([1f, 0, 3, 4, 5, 0, 7, 8, 9, 0, 11, 12], inputs[1].flatten().data<float>().ToArray());
        Assert.True(inputs[4].eq(inputs[1]).all().item<bool>());
        Assert.True(inputs[0].eq(image).all().item<bool>());
    }

    [Fact]
    public void Area_under_curve_is_the_trapezoid_rule_over_zero_to_one()
    {
        Assert.Equal(0.5, DeletionInsertion.AreaUnderCurve([1.0, 0.0]), 12);
        Assert.Equal(1.0, DeletionInsertion.AreaUnderCurve([1.0, 1.0, 1.0]), 12);
        Assert.Equal(0.375, DeletionInsertion.AreaUnderCurve([1.0, 0.25, 0.0]), 12); // (1 + 0.25)/2 * 0.5 + 0.25/2 * 0.5
        Assert.Throws<ArgumentException>(() => DeletionInsertion.AreaUnderCurve([1.0]));
    }

    [Fact]
    public void A_map_of_the_wrong_size_is_refused_with_a_hint()
    {
        var error = Assert.Throws<ArgumentException>(() => DeletionInsertion.Inputs(Image(), new float[7, 7], CurveKind.Deletion));
        Assert.Contains("Upsample", error.Message);
    }
}
