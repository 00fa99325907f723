namespace CamNotebooks.Data;

/// <summary>One mail of <c>data/spam-assassin</c>: subject and body, personal data already masked.</summary>
/// <param name="Split">"train", "valid" or "test" (the held-out set).</param>
/// <param name="IsSpam">Whether the corpus files it as spam.</param>
/// <param name="Group">The corpus folder it comes from, e.g. "easy-ham-1" or "spam-2".</param>
/// <param name="Id">Its number in that folder.</param>
/// <param name="Subject">The Subject header.</param>
/// <param name="Body">The text of the body, at most 900 characters.</param>
public sealed record Mail(string Split, bool IsSpam, string Group, string Id, string Subject, string Body)
{
    /// <summary>What a model reads: the subject, then the body.</summary>
    public string Text => $"{Subject} {Body}";
}

/// <summary>The SpamAssassin mails of <c>data/spam-assassin/mails.tsv</c> in their fixed split (see its README).</summary>
public sealed class MailCorpus
{
    private MailCorpus(IReadOnlyList<Mail> all) => All = all;

    /// <summary>Every mail, in file order.</summary>
    public IReadOnlyList<Mail> All { get; }

    /// <summary>The mails to train on.</summary>
    public IReadOnlyList<Mail> Train => All.Where(m => m.Split == "train").ToList();

    /// <summary>The mails to choose settings with.</summary>
    public IReadOnlyList<Mail> Validation => All.Where(m => m.Split == "valid").ToList();

    /// <summary>The held-out mails, for the final figures only.</summary>
    public IReadOnlyList<Mail> Test => All.Where(m => m.Split == "test").ToList();

    /// <summary>Reads <c>mails.tsv</c> from <c>data/spam-assassin</c> (found as <see cref="DataDirectory.Find"/> does) or from
    /// <paramref name="folder"/>.</summary>
    /// <exception cref="DataFormatException">A line is not six tab-separated fields with a known split and label.</exception>
    public static MailCorpus Load(string? folder = null)
    {
        var path = Path.Combine(DataDirectory.Find("spam-assassin", folder), "mails.tsv");
        var mails = new List<Mail>();
        foreach (var (line, number) in File.ReadLines(path).Select((l, i) => (l, i + 1)).Skip(1))
        {
            var f = line.Split('\t');
            if (f.Length != 6 || f[0] is not ("train" or "valid" or "test") || f[1] is not ("spam" or "ham"))
                throw new DataFormatException(path, $"line {number}: expected split, label (spam/ham), group, id, subject, body separated by tabs.");
            mails.Add(new Mail(f[0], f[1] == "spam", f[2], f[3], f[4], f[5]));
        }
        return new MailCorpus(mails);
    }
}
