namespace CamNotebooks.Evaluation;

/// <summary>Maps that know nothing about the image, to score the real methods against.</summary>
public static class BaselineMaps
{
    /// <summary>
    /// Seeded uniform noise at <paramref name="coarseSize"/> x <paramref name="coarseSize"/> (the resolution of a last-stage
    /// map), to be upsampled like a real map, so it is as smooth as one. Same seed, same maps.
    /// </summary>
    public static float[,] Random(Random random, int coarseSize = 7)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(coarseSize);
        var map = new float[coarseSize, coarseSize];
        for (int row = 0; row < coarseSize; row++)
        for (int column = 0; column < coarseSize; column++)
            map[row, column] = random.NextSingle();
        return map;
    }

    /// <summary>
    /// A Gaussian blob at the centre of a <paramref name="height"/> x <paramref name="width"/> image, standard deviation
    /// <paramref name="sigmaFraction"/> of each side: the "photographers centre their subject" prior.
    /// </summary>
    public static float[,] CentreGaussian(int height, int width, double sigmaFraction = 0.25)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sigmaFraction);
        var map = new float[height, width];
        double sigmaY = sigmaFraction * height, sigmaX = sigmaFraction * width;
        for (int row = 0; row < height; row++)
        for (int column = 0; column < width; column++)
        {
            double dy = (row + 0.5 - height / 2.0) / sigmaY, dx = (column + 0.5 - width / 2.0) / sigmaX;
            map[row, column] = (float)Math.Exp(-(dx * dx + dy * dy) / 2);
        }
        return map;
    }
}
