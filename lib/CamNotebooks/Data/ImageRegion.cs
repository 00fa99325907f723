using CamNotebooks.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Data;

/// <summary>
/// A region of an image (the animal's head box or body outline), in pixel coordinates of the image file as stored:
/// x to the right from 0 to <see cref="ImageWidth"/>, y down from 0 to <see cref="ImageHeight"/>; pixel (column c, row r)
/// covers [c, c+1) x [r, r+1), so its centre is (c + 0.5, r + 0.5).
/// </summary>
public abstract class ImageRegion
{
    /// <summary>Creates a region of an image of the given size.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    protected ImageRegion(int imageWidth, int imageHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageHeight);
        ImageWidth = imageWidth;
        ImageHeight = imageHeight;
    }

    /// <summary>Width in pixels of the image the coordinates refer to.</summary>
    public int ImageWidth { get; }

    /// <summary>Height in pixels of the image the coordinates refer to.</summary>
    public int ImageHeight { get; }

    /// <summary>Whether the point (<paramref name="x"/>, <paramref name="y"/>), in image pixel coordinates, lies inside.</summary>
    public abstract bool Contains(double x, double y);

    /// <summary>
    /// Rasterises the region onto a <paramref name="height"/> x <paramref name="width"/> grid laid over the image as the
    /// model sees it: the whole image stretched (<see cref="ImageResizeMode.Squish"/> or <see cref="ImageResizeMode.None"/>),
    /// or its centred square (<see cref="ImageResizeMode.CenterCrop"/>, the same square <see cref="ImageLoader"/> keeps).
    /// A cell is true when the image point at the cell's centre is inside. Use the heatmap's size (e.g. 7 x 7) to compare
    /// with a CAM, or the input size (e.g. 224 x 224) to overlay.
    /// </summary>
    /// <returns>mask[row, column].</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public bool[,] ToMask(int height, int width, ImageResizeMode view = ImageResizeMode.Squish)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        double left = 0, top = 0, viewWidth = ImageWidth, viewHeight = ImageHeight;
        if (view == ImageResizeMode.CenterCrop)
        {
            int side = Math.Min(ImageWidth, ImageHeight);
            // Integer division, as in the loader's crop, so the mask lines up with the cropped pixels.
            left = (ImageWidth - side) / 2;
            top = (ImageHeight - side) / 2;
            viewWidth = viewHeight = side;
        }
        var mask = new bool[height, width];
        for (int row = 0; row < height; row++)
        for (int column = 0; column < width; column++)
            mask[row, column] = Contains(left + (column + 0.5) * viewWidth / width, top + (row + 0.5) * viewHeight / height);
        return mask;
    }

    /// <summary><see cref="ToMask"/> as a bool tensor [height, width].</summary>
    public Tensor ToMaskTensor(int height, int width, ImageResizeMode view = ImageResizeMode.Squish)
    {
        var mask = ToMask(height, width, view);
        var flat = new bool[height * width];
        for (int row = 0; row < height; row++)
        for (int column = 0; column < width; column++)
            flat[row * width + column] = mask[row, column];
        return torch.tensor(flat, [height, width]);
    }
}
