using System.Text.RegularExpressions;
using CamNotebooks.Data;
using CamNotebooks.Display;

namespace CamNotebooks.Tests;

/// <summary>The text chapter's library parts: masking, tokens, the vocabulary, the mail corpus and the coloured text.</summary>
public class TextTests
{
    [Theory]
    [InlineData("write to jo.smith+spam@example.org today", "write to [email] today")]
    [InlineData("mail root@localhost now", "mail [email] now")]
    [InlineData("see http://example.com/a?b=1 and www.test.net", "see [url] and [url]")]
    [InlineData("visit shop.example.co.uk/offer", "visit [url]")]
    [InlineData("server 192.168.0.12 is down", "server [url] is down")]
    [InlineData("call 1-800-555-0199 or (212) 555-0100", "call [phone] or [phone]")]
    [InlineData("ring +353 1 234 5678", "ring [phone]")]
    [InlineData("only $19.99 for 3 items, 2002-05-13", "only $19.99 for 3 items, 2002-05-13")]
    public void Mask_replaces_addresses_web_addresses_and_phone_numbers_and_nothing_else(string text, string expected) =>
        Assert.Equal(expected, Regex.Replace(TextTokens.Mask(text), @"\s+", " ").Trim());

    [Fact]
    public void Tokens_are_lower_case_words_placeholders_dollars_and_exclamation_marks()
    {
        Assert.Equal(["win", "$", "1000", "now", "!", "!", "call", "[phone]", "or", "visit", "[url]", "it's", "free", "[name]"],
            TextTokens.Tokenize("WIN $1000 now!! Call 1-800-555-0199 or visit www.example.com, it's FREE. [name]"));
        Assert.Empty(TextTokens.Tokenize(" ,.;- "));
        Assert.All(TextTokens.Placeholders, p => Assert.Equal([p], TextTokens.Tokenize(p)));
    }

    [Fact]
    public void The_vocabulary_keeps_frequent_words_most_frequent_first_after_padding_and_unknown()
    {
        var vocab = Vocabulary.Build([["b", "a", "c", "a"], ["b", "a", "d"]], minCount: 2);
        Assert.Equal(4, vocab.Count);
        Assert.Equal(["<pad>", "<unk>", "a", "b"], Enumerable.Range(0, vocab.Count).Select(i => vocab[i]));
        Assert.Equal((3, 2, 0), (vocab.CountOf(2), vocab.CountOf(3), vocab.CountOf(Vocabulary.Pad)));
        Assert.Equal(Vocabulary.Unknown, vocab.IdOf("c"));
        Assert.Equal(3, Vocabulary.Build([["a", "b"], ["b", "a"]], minCount: 1).Count - 1); // ties: ordinal order, a then b
        Assert.Equal("a", Vocabulary.Build([["b", "a"]], minCount: 1)[2]);
        Assert.Equal(3, Vocabulary.Build([["a", "b", "c", "c"]], minCount: 1, maxWords: 1).Count);
    }

    [Fact]
    public void Encode_pads_short_texts_cuts_long_ones_and_marks_unknown_words()
    {
        var vocab = Vocabulary.Build([["a", "b", "a", "b"]]);
        Assert.Equal([2L, 1L, 3L, 0L, 0L], vocab.Encode(["a", "zzz", "b"], 5));
        Assert.Equal([2L, 3L], vocab.Encode(["a", "b", "a"], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => vocab.Encode(["a"], 0));
    }

    [Fact]
    public void The_mail_corpus_holds_3300_mails_in_a_fixed_60_20_20_split()
    {
        var corpus = MailCorpus.Load();
        Assert.Equal((1980, 660, 660), (corpus.Train.Count, corpus.Validation.Count, corpus.Test.Count));
        Assert.Equal(1200, corpus.All.Count(m => m.IsSpam));
        foreach (var split in new[] { corpus.Train, corpus.Validation, corpus.Test })
            Assert.InRange(split.Count(m => m.IsSpam) / (double)split.Count, 0.36, 0.37);
        Assert.Equal(corpus.All.Count, corpus.All.Select(m => m.Body).Distinct().Count()); // no mail in two splits
        Assert.All(corpus.All, m => Assert.StartsWith(m.IsSpam ? "spam-" : "", m.Group));
    }

    [Fact]
    public void The_shipped_mails_hold_no_address_web_address_or_phone_number_left_to_mask()
    {
        var leftovers = MailCorpus.Load().All.Select(m => m.Text).Where(text => TextTokens.Mask(text) != text).Take(5).ToList();
        Assert.True(leftovers.Count == 0, "unmasked personal data in data/spam-assassin/mails.tsv:\n" + string.Join("\n", leftovers.Select(t => t[..Math.Min(200, t.Length)])));
    }

    [Fact]
    public void The_data_stays_small()
    {
        long bytes = new DirectoryInfo(DataDirectory.Find("spam-assassin")).GetFiles().Sum(f => f.Length);
        Assert.True(bytes <= 5_000_000, $"data/spam-assassin holds {bytes:N0} bytes");
    }

    [Fact]
    public void A_text_map_colours_each_token_by_its_value_and_shows_a_numbered_scale()
    {
        var map = TextMap.Of(["free", "<b>", "offer"], [0f, 1f, 2f, 99f], "spam <map>");
        Assert.Equal((0f, 2f), (map.Low, map.High));   // the padding value 99 is not a token's
        var html = map.ToHtml();
        Assert.Equal(3 + 5, Regex.Matches(html, "<span").Count);
        Assert.Contains("&lt;b&gt;", html);
        Assert.Contains("spam &lt;map&gt;", html);
        Assert.Contains("title=\"2.00\"", html);
        foreach (var tick in new[] { "0.00", "0.50", "1.00", "1.50", "2.00" }) Assert.Contains($">{tick}</span>", html);
        // low = darkest magma (white ink), high = lightest (black ink)
        Assert.Matches("background:rgb\\(0,0,4\\);color:white[^>]*>free<", html);
        Assert.Matches("background:rgb\\(252,253,191\\);color:black[^>]*>offer<", html);
        Assert.Equal("t: a(1.00) b(3.00)", TextMap.Of(["a", "b"], [1f, 3f], "t").ToString());
    }

    [Fact]
    public void A_text_map_takes_a_shared_range_and_refuses_missing_or_broken_values()
    {
        var map = TextMap.Of(["a", "b"], [1f, 3f], "t", range: (0f, 10f));
        Assert.Equal((0.1, 0.3), (map.Share(1f), Math.Round(map.Share(3f), 6)));
        Assert.Equal(1, map.Share(20f));
        Assert.Throws<ArgumentException>(() => TextMap.Of(["a", "b"], [1f], "t"));
        Assert.Throws<ArgumentException>(() => TextMap.Of(["a"], [float.NaN], "t"));
        Assert.Equal(0, TextMap.Of(["a"], [5f], "flat").Share(5f));
    }
}
