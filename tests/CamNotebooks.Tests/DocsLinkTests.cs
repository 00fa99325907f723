using System.Text.RegularExpressions;
using CamNotebooks.Tests.Notebooks;

namespace CamNotebooks.Tests;

/// <summary>README.md and docs/*.md: every relative link resolves (file and heading), and every page of docs/ is linked from the README.</summary>
public class DocsLinkTests
{
    private static IEnumerable<string> Pages() =>
        Directory.EnumerateFiles(Path.Combine(Repository.Root, "docs"), "*.md").Prepend(Path.Combine(Repository.Root, "README.md"));

    public static IEnumerable<object[]> PageNames() => Pages().Select(p => new object[] { Path.GetRelativePath(Repository.Root, p) });

    /// <summary>Inline markdown links outside code spans and fenced blocks: (text, target).</summary>
    internal static IEnumerable<string> RelativeLinks(string markdown)
    {
        string prose = Regex.Replace(markdown, "```.*?```", "", RegexOptions.Singleline);
        prose = Regex.Replace(prose, "`[^`\n]*`(?!\\])", "");
        return Regex.Matches(prose, @"\]\((?<target>[^)\s]+)\)").Select(m => m.Groups["target"].Value)
            .Where(t => !Regex.IsMatch(t, "^[a-z]+:", RegexOptions.IgnoreCase));
    }

    /// <summary>GitHub's anchor for a heading: lower case, punctuation other than '-' dropped, spaces as '-'.</summary>
    internal static string Anchor(string heading) =>
        Regex.Replace(Regex.Replace(heading.Trim().ToLowerInvariant(), @"[^\p{L}\p{N}\s_-]", ""), @"\s", "-");

    private static IEnumerable<string> Anchors(string markdown) =>
        Regex.Matches(Regex.Replace(markdown, "```.*?```", "", RegexOptions.Singleline), @"^#{1,6} +(?<h>.+)$", RegexOptions.Multiline)
            .Select(m => Anchor(m.Groups["h"].Value));

    [Theory]
    [MemberData(nameof(PageNames))]
    public void Every_relative_link_resolves(string page)
    {
        string path = Path.Combine(Repository.Root, page);
        string markdown = File.ReadAllText(path);
        var links = RelativeLinks(markdown).ToList();
        foreach (string link in links)
        {
            string[] parts = link.Split('#', 2);
            string target = parts[0].Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, Uri.UnescapeDataString(parts[0])));
            Assert.True(File.Exists(target) || Directory.Exists(target), $"{page}: the link '{link}' points at nothing ({target})");
            if (parts.Length == 2)
                Assert.True(Anchors(File.ReadAllText(target)).Contains(parts[1]), $"{page}: the link '{link}' names no heading of {Path.GetFileName(target)}");
        }
    }

    [Fact]
    public void The_readme_links_every_page_of_docs_and_the_link_check_can_fail()
    {
        var readmeLinks = RelativeLinks(File.ReadAllText(Path.Combine(Repository.Root, "README.md"))).ToList();
        foreach (string doc in Directory.EnumerateFiles(Path.Combine(Repository.Root, "docs"), "*.md"))
            Assert.Contains($"docs/{Path.GetFileName(doc)}", readmeLinks);
        // The parser sees what the check needs: links, not code, and GitHub's anchors.
        Assert.Equal(["docs/a.md#x-y", "#top"], RelativeLinks("[a](docs/a.md#x-y) `[b](c.md)` [web](https://example.com) [t](#top)\n```\n[d](e.md)\n```"));
        Assert.Equal("camenvironmentinitialize", Anchor("`CamEnvironment.Initialize()`"));
        Assert.Equal("if-the-polyglot-extension-does-not-work-for-you", Anchor("If the Polyglot extension does not work for you"));
    }
}
