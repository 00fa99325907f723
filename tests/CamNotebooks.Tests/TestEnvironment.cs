using System.Runtime.CompilerServices;

namespace CamNotebooks.Tests;

/// <summary>Every test process goes through the same entry point as the notebooks before TorchSharp is touched.</summary>
internal static class TestEnvironment
{
    [ModuleInitializer]
    internal static void Initialize() => CamEnvironment.Initialize();
}
