// One-off: copy the Oxford-IIIT Pet sample into data/pets with every image downscaled so its SHORT side is 256 px
// (unless already smaller), re-encoded as JPEG quality 90. Head boxes are in pixels, so they are scaled by the same
// factors (x by newWidth/oldWidth, y by newHeight/oldHeight) and rounded to 0.1 px; body outlines are normalised to 0..1
// of width and height, so they are copied unchanged.
// Usage: dotnet run --project tools/PrepareData -- <source pets folder> <destination pets folder>
using System.Globalization;
using SkiaSharp;

const int ShortSide = 256;
const int JpegQuality = 90;
if (args.Length != 2) { Console.Error.WriteLine("usage: PrepareData <source pets dir> <destination pets dir>"); return 2; }
string source = args[0], destination = args[1];
Directory.CreateDirectory(Path.Combine(destination, "images"));
var inv = CultureInfo.InvariantCulture;

var sizes = new Dictionary<string, (int OldW, int OldH, int NewW, int NewH)>();
foreach (var path in Directory.GetFiles(Path.Combine(source, "images"), "*.jpg").Order(StringComparer.Ordinal))
{
    var name = Path.GetFileName(path);
    using var codec = SKCodec.Create(path) ?? throw new InvalidDataException($"{name}: not decodable");
    if (codec.EncodedOrigin != SKEncodedOrigin.TopLeft)
        throw new InvalidDataException($"{name}: EXIF orientation {codec.EncodedOrigin}; boxes would need rotating too");
    var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
    using var bitmap = new SKBitmap(info);
    var result = codec.GetPixels(info, bitmap.GetPixels());
    if (result != SKCodecResult.Success) throw new InvalidDataException($"{name}: decode {result}");
    int w = info.Width, h = info.Height;
    double scale = Math.Min(1.0, (double)ShortSide / Math.Min(w, h));
    int nw = Math.Max(1, (int)Math.Round(w * scale)), nh = Math.Max(1, (int)Math.Round(h * scale));
    sizes[name] = (w, h, nw, nh);
    var target = Path.Combine(destination, "images", name);
    if (scale == 1.0) { File.Copy(path, target, overwrite: true); continue; }
    using var image = SKImage.FromBitmap(bitmap);
    using var resized = new SKBitmap(new SKImageInfo(nw, nh, SKColorType.Rgba8888, SKAlphaType.Premul));
    using (var canvas = new SKCanvas(resized))
        canvas.DrawImage(image, new SKRect(0, 0, nw, nh), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
    using var data = resized.Encode(SKEncodedImageFormat.Jpeg, JpegQuality);
    var temp = target + ".tmp";
    File.WriteAllBytes(temp, data.ToArray());
    File.Move(temp, target, overwrite: true);
}

var lines = File.ReadAllLines(Path.Combine(source, "head_boxes.csv"));
var output = new List<string> { lines[0] };
foreach (var line in lines.Skip(1))
{
    var f = line.Split(',');
    var (ow, oh, nw, nh) = sizes[f[0]];
    if (int.Parse(f[7], inv) != ow || int.Parse(f[8], inv) != oh)
        throw new InvalidDataException($"{f[0]}: csv says {f[7]}x{f[8]}, file is {ow}x{oh}");
    double sx = (double)nw / ow, sy = (double)nh / oh;
    string S(string v, double s) => Math.Round(double.Parse(v, inv) * s, 1).ToString("0.#", inv);
    output.Add(string.Join(',', f[0], f[1], f[2], S(f[3], sx), S(f[4], sy), S(f[5], sx), S(f[6], sy),
        nw.ToString(inv), nh.ToString(inv)));
}
File.WriteAllLines(Path.Combine(destination, "head_boxes.csv"), output);
File.Copy(Path.Combine(source, "body_outlines.json"), Path.Combine(destination, "body_outlines.json"), overwrite: true);
Console.WriteLine($"{sizes.Count} images, {sizes.Values.Count(s => s.NewW != s.OldW)} downscaled");
return 0;
