using CamNotebooks.Data;
using CamNotebooks.Imaging;

namespace CamNotebooks.Tests;

public class PetsDatasetTests
{
    private static readonly PetsDataset Pets = PetsDataset.Load();

    [Theory]
    [InlineData("Bengal_109.jpg", 1, "Bengal")]
    [InlineData("beagle_10.jpg", 0, "beagle")]
    [InlineData("Maine_Coon_115.jpg", 1, "Maine_Coon")]
    [InlineData("american_pit_bull_terrier_1.jpg", 0, "american_pit_bull_terrier")]
    public void Label_and_breed_follow_the_file_name(string name, int label, string breed)
    {
        Assert.Equal(label, PetsDataset.LabelOf(name));
        Assert.Equal(breed, PetsDataset.BreedOf(name));
    }

    [Fact]
    public void Names_without_the_pattern_are_refused()
    {
        Assert.Throws<ArgumentException>(() => PetsDataset.LabelOf("_1.jpg"));
        Assert.Throws<ArgumentException>(() => PetsDataset.BreedOf("nobreed.jpg"));
    }

    [Fact]
    public void The_sample_has_96_cats_and_200_dogs_in_37_breeds()
    {
        Assert.Equal(296, Pets.Count);
        Assert.Equal(96, Pets.Images.Count(i => i.IsCat));
        Assert.Equal(200, Pets.Images.Count(i => !i.IsCat));
        Assert.Equal(37, Pets.Breeds.Count);
        Assert.All(Pets.Images.GroupBy(i => i.Breed), g => Assert.Equal(8, g.Count()));
        Assert.Equal(["dog", "cat"], PetsDataset.ClassNames);
        var hero = Pets["Bengal_109.jpg"];
        Assert.Equal(("cat", 383, 256), (hero.ClassName, hero.Width, hero.Height));
        Assert.Throws<KeyNotFoundException>(() => Pets["Bengal_999.jpg"]);
    }

    [Fact]
    public void Annotations_fit_the_stored_images()
    {
        foreach (var image in Pets.Images.Take(20))
        {
            var header = ImageLoader.ReadHeader(image.FilePath);
            Assert.Equal((header.Width, header.Height), (image.Width, image.Height));
        }
        Assert.All(Pets.Images, i =>
        {
            Assert.InRange(i.HeadBox.XMin, 0, i.Width);
            Assert.InRange(i.HeadBox.XMax, 0, i.Width + 1);
            Assert.InRange(i.HeadBox.YMax, 0, i.Height + 1);
            Assert.All(i.Outline.Points, p => { Assert.InRange(p.X, 0, i.Width); Assert.InRange(p.Y, 0, i.Height); });
        });
        // The original Bengal_109 box is (231, 12) - (401, 187) in a 500 x 334 image; stored at 383 x 256.
        var box = Pets["Bengal_109.jpg"].HeadBox;
        Assert.Equal(231 * 383 / 500.0, box.XMin, 0.06);
        Assert.Equal(187 * 256 / 334.0, box.YMax, 0.06);
        // Outlines are scaled from 0..1: the first vertex of Maine_Coon_115 is (0.73353, 0.0).
        var coon = Pets["Maine_Coon_115.jpg"];
        Assert.Equal(0.73353 * coon.Width, coon.Outline.Points[0].X, 1e-9);
    }

    [Fact]
    public void Animal_outlines_cover_a_plausible_share_and_mostly_contain_the_head_centre()
    {
        int headInside = 0;
        foreach (var image in Pets.Images)
        {
            double share = image.Outline.Area() / (image.Width * image.Height);
            Assert.InRange(share, 0.02, 1.0);
            var box = image.HeadBox;
            if (image.Outline.Contains((box.XMin + box.XMax) / 2, (box.YMin + box.YMax) / 2)) headInside++;
        }
        Assert.True(headInside > 0.9 * Pets.Count, $"head centre inside the outline for only {headInside} photos");
    }

    [Fact]
    public void The_default_split_is_74_validation_photos_2_per_breed_without_overlap()
    {
        var split = Pets.Split();
        Assert.Equal(74, split.Validation.Count);
        Assert.Equal(222, split.Train.Count);
        Assert.All(split.Validation.GroupBy(v => v.Breed), g => Assert.Equal(2, g.Count()));
        Assert.Equal(37, split.Validation.Select(v => v.Breed).Distinct().Count());
        Assert.Equal(24, split.Validation.Count(v => v.IsCat));
        Assert.Empty(split.Train.Select(t => t.FileName).Intersect(split.Validation.Select(v => v.FileName)));
        Assert.Equal(Pets.Images.Select(i => i.FileName).Order(StringComparer.Ordinal),
            split.Train.Concat(split.Validation).Select(i => i.FileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_split_depends_on_the_seed_only()
    {
        var first = Pets.Split(seed: 5).Validation.Select(v => v.FileName).ToList();
        var again = PetsDataset.Load().Split(seed: 5).Validation.Select(v => v.FileName).ToList();
        var other = Pets.Split(seed: 6).Validation.Select(v => v.FileName).ToList();
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Equal(3 * 37, Pets.Split(validationPerBreed: 3).Validation.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => Pets.Split(validationPerBreed: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pets.Split(validationPerBreed: 8));
    }

    [Fact]
    public void The_data_folder_is_found_by_walking_up_or_refused_clearly()
    {
        Assert.Equal(Path.GetFullPath(Pets.Directory), DataDirectory.Find("pets"));
        Assert.True(File.Exists(Path.Combine(DataDirectory.Find("pets"), "head_boxes.csv")));
        var error = Assert.Throws<DirectoryNotFoundException>(() => DataDirectory.Find("no-such-dataset"));
        Assert.Contains("data/no-such-dataset", error.Message);
    }

    [Fact]
    public void A_photo_loads_through_its_record()
    {
        using var rgb = Pets["beagle_10.jpg"].Load(ImageResize.CenterCrop(224));
        Assert.Equal(new long[] { 3, 224, 224 }, rgb.shape);
    }

    [Fact]
    public void A_missing_folder_or_file_gives_a_clear_error()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-pets-{Guid.NewGuid():N}");
        var error = Assert.Throws<DirectoryNotFoundException>(() => PetsDataset.Load(missing));
        Assert.Contains(missing, error.Message);

        var dir = Directory.CreateTempSubdirectory("pets-test").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "images"));
            File.Copy(TestImages.PetsImage("beagle_10.jpg"), Path.Combine(dir, "images", "beagle_10.jpg"));
            var noCsv = Assert.Throws<DataFormatException>(() => PetsDataset.Load(dir));
            Assert.Contains("head_boxes.csv", noCsv.Message);

            File.WriteAllText(Path.Combine(dir, "head_boxes.csv"),
                "image,species,breed,xmin,ymin,xmax,ymax,image_width,image_height\nbeagle_10.jpg,dog,beagle,1,2,x,4,10,10\n");
            File.WriteAllText(Path.Combine(dir, "body_outlines.json"), """{ "beagle_10.jpg": [[0,0],[1,0],[1,1]] }""");
            var badLine = Assert.Throws<DataFormatException>(() => PetsDataset.Load(dir));
            Assert.Contains("line 2", badLine.Message);

            File.WriteAllText(Path.Combine(dir, "head_boxes.csv"),
                "image,species,breed,xmin,ymin,xmax,ymax,image_width,image_height\nbeagle_10.jpg,cat,beagle,1,2,3,4,10,10\n");
            var wrongSpecies = Assert.Throws<DataFormatException>(() => PetsDataset.Load(dir));
            Assert.Contains("is a dog", wrongSpecies.Message);

            File.WriteAllText(Path.Combine(dir, "head_boxes.csv"),
                "image,species,breed,xmin,ymin,xmax,ymax,image_width,image_height\nbeagle_10.jpg,dog,beagle,1,2,3,4,10,10\n");
            File.WriteAllText(Path.Combine(dir, "body_outlines.json"), "{ not json");
            Assert.Throws<DataFormatException>(() => PetsDataset.Load(dir));

            File.WriteAllText(Path.Combine(dir, "body_outlines.json"), """{ "beagle_10.jpg": [[0,0],[1,0],[1,1]] }""");
            var tiny = PetsDataset.Load(dir);
            Assert.Equal(10.0, tiny["beagle_10.jpg"].Outline.Points[1].X);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}

public class ImageRegionTests
{
    // A 10 x 10 image with an L-shaped outline: the square (0,0)-(6,6) minus the square (3,0)-(6,3).
    private static readonly BodyOutline L = new([(0, 0), (3, 0), (3, 3), (6, 3), (6, 6), (0, 6)], 10, 10);

    [Theory]
    [InlineData(1, 1, true)]    // in the upright bar
    [InlineData(4.5, 4.5, true)] // in the foot
    [InlineData(4.5, 1.5, false)] // in the notch
    [InlineData(7, 7, false)]   // outside
    [InlineData(-1, 2, false)]
    [InlineData(2.9, 0.1, true)]
    [InlineData(3.1, 0.1, false)]
    public void Point_in_outline(double x, double y, bool inside) => Assert.Equal(inside, L.Contains(x, y));

    [Fact]
    public void The_outline_rasterises_at_pixel_centres()
    {
        // At the image's own size (10 x 10) cell (r, c) tests (c + 0.5, r + 0.5).
        var mask = L.ToMask(10, 10);
        int count = 0;
        for (int r = 0; r < 10; r++)
        for (int c = 0; c < 10; c++)
        {
            bool expected = c < 6 && r < 6 && !(c >= 3 && r < 3);
            Assert.Equal(expected, mask[r, c]);
            if (mask[r, c]) count++;
        }
        Assert.Equal(27, count);      // 36 - 9 pixels
        Assert.Equal(27, L.Area(), 9); // equals the polygon's area
        // At 5 x 5 each cell spans 2 x 2 pixels: the centres at 1, 3, 5 along each axis fall in the L except (3, 1) and (5, 1).
        var small = L.ToMask(5, 5);
        bool[,] expectedSmall =
        {
            { true, false, false, false, false },
            { true, true, true, false, false },
            { true, true, true, false, false },
            { false, false, false, false, false },
            { false, false, false, false, false },
        };
        Assert.Equal(expectedSmall, small);
        using var tensor = L.ToMaskTensor(5, 5);
        Assert.Equal(7, tensor.sum().item<long>());
    }

    [Fact]
    public void Center_crop_masks_cover_the_middle_square()
    {
        // A 30 x 10 image; the box covers the middle third exactly: the centre-cropped mask is all true.
        var box = new HeadBox(10, 0, 20, 10, 30, 10);
        var cropped = box.ToMask(4, 4, ImageResizeMode.CenterCrop);
        Assert.All(cropped.Cast<bool>(), Assert.True);
        var squished = box.ToMask(1, 3);
        Assert.Equal(new[,] { { false, true, false } }, squished);
    }

    [Fact]
    public void Degenerate_regions_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new BodyOutline([(0, 0), (1, 1)], 5, 5));
        Assert.Throws<ArgumentException>(() => new HeadBox(3, 0, 2, 5, 5, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => L.ToMask(0, 3));
    }
}
