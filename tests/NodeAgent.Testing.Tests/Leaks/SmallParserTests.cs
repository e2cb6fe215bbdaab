using System.Text;
using NodeAgent.Testing.Leaks;

namespace NodeAgent.Testing.Tests.Leaks;

public class SmallParserTests
{
    [Fact]
    public void Netns_list_yields_names_with_or_without_ids()
    {
        Assert.Equal(["nat3f9a2c", "other", "nat3f9a2cx"], NetnsListParser.Parse("nat3f9a2c (id: 0)\nother\nnat3f9a2cx (id: 12)\n"));
        Assert.Empty(NetnsListParser.Parse(""));
    }

    [Fact]
    public void Netns_probe_merges_pin_files_and_listing_once()
    {
        Assert.Equal(["nat3f9a2c", "nat3f9a2cx"], NetworkNamespaceProbe.Find(["nat3f9a2cx", "nat3f9a2c", "other", "nat3f9a2c"], "nat3f9a2c"));
    }

    [Fact]
    public void Cmdline_splits_on_nul_and_ignores_the_terminator()
    {
        var args = ProcCmdline.Parse(Encoding.UTF8.GetBytes("/usr/bin/tail\0-f\0/tmp/nat3f9a2c-x/log\0"));

        Assert.Equal(["/usr/bin/tail", "-f", "/tmp/nat3f9a2c-x/log"], args);
        Assert.Equal("/usr/bin/tail -f /tmp/nat3f9a2c-x/log", ProcCmdline.Display(args));
        Assert.Empty(ProcCmdline.Parse([]));
    }

    [Fact]
    public void Too_short_prefixes_are_refused()
    {
        Assert.ThrowsAny<ArgumentException>(() => PrefixMatch.Validate(""));
        Assert.ThrowsAny<ArgumentException>(() => PrefixMatch.Validate("  "));
        Assert.ThrowsAny<ArgumentException>(() => PrefixMatch.Validate("nat"));
        PrefixMatch.Validate("nat3");
    }
}
