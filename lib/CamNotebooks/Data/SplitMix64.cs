namespace CamNotebooks.Data;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a tiny generator spelled out here so that seeded shuffles give the same
/// result on every platform and runtime (System.Random's algorithm is an implementation detail).
/// </summary>
internal sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    internal ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform integer in [0, <paramref name="exclusiveMax"/>), by rejection so there is no modulo bias.</summary>
    internal int NextInt(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveMax);
        ulong bound = (ulong)exclusiveMax, limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong value;
        do value = Next(); while (value >= limit);
        return (int)(value % bound);
    }
}
