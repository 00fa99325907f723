namespace CamNotebooks.Maps;

/// <summary>Every map method of the library, in the order the chapters introduce them. Evaluation, benchmarks and notebooks
/// iterate over this list, so a new method is one file plus one entry here.</summary>
public static class CamMethods
{
    /// <summary>CAM, Grad-CAM, Grad-CAM++, LayerCAM, Score-CAM (chapter 07; costly: see <see cref="CamMethod.ScoresInputs"/>).</summary>
    public static IReadOnlyList<CamMethod> All { get; } =
    [
        ClassActivationMap.Method,
        GradCam.Method,
        GradCamPlusPlus.Method,
        LayerCam.Method,
        ScoreCam.Method,
    ];
}
