namespace CamNotebooks.Data;

/// <summary>
/// The words a text model knows, each with an id: 0 is padding (<see cref="Pad"/>), 1 any unknown word
/// (<see cref="Unknown"/>), then the training words from the most frequent down.
/// </summary>
public sealed class Vocabulary
{
    /// <summary>The id of padding, the filler after a short text (and of a deleted token).</summary>
    public const int Pad = 0;

    /// <summary>The id of a word the vocabulary does not hold.</summary>
    public const int Unknown = 1;

    private readonly string[] _words;
    private readonly int[] _counts;
    private readonly Dictionary<string, int> _ids;

    private Vocabulary(string[] words, int[] counts)
    {
        (_words, _counts) = (words, counts);
        _ids = words.Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i);
    }

    /// <summary>Number of ids, padding and unknown included.</summary>
    public int Count => _words.Length;

    /// <summary>The word of an id.</summary>
    public string this[int id] => _words[id];

    /// <summary>The id of a word (<see cref="Unknown"/> if it is not known).</summary>
    public int IdOf(string word) => _ids.GetValueOrDefault(word, Unknown);

    /// <summary>How often the word of <paramref name="id"/> occurred in the texts it was built from (0 for padding and unknown).</summary>
    public int CountOf(int id) => _counts[id];

    /// <summary>The words that occur at least <paramref name="minCount"/> times, at most <paramref name="maxWords"/> of them,
    /// most frequent first (ties in ordinal order, so the ids never depend on the order of the texts).</summary>
    public static Vocabulary Build(IEnumerable<IReadOnlyList<string>> texts, int minCount = 2, int maxWords = 10_000)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWords, 1);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in texts.SelectMany(t => t)) counts[token] = counts.GetValueOrDefault(token) + 1;
        var kept = counts.Where(p => p.Value >= minCount).OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(maxWords).ToList();
        return new Vocabulary(["<pad>", "<unk>", .. kept.Select(p => p.Key)], [0, 0, .. kept.Select(p => p.Value)]);
    }

    /// <summary>The ids of the first <paramref name="length"/> tokens, padded with <see cref="Pad"/> to that length.</summary>
    public long[] Encode(IReadOnlyList<string> tokens, int length)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        var ids = new long[length];
        for (int i = 0; i < Math.Min(length, tokens.Count); i++) ids[i] = IdOf(tokens[i]);
        return ids;
    }
}
