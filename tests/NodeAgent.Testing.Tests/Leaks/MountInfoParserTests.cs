using NodeAgent.Testing.Leaks;

namespace NodeAgent.Testing.Tests.Leaks;

public class MountInfoParserTests
{
    // Taken from this machine: a plain mount, a netns pin with an optional field, cgroup v1 + v2.
    private const string Fixture = """
        27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        43 42 0:4 net:[4026532177] /run/netns/nat3f9a2c rw shared:2 - nsfs nsfs rw
        50 27 0:40 / /tmp/with\040space rw,relatime shared:5 master:1 - tmpfs nat3f9a2c-src rw,size=1024k
        """;

    [Fact]
    public void Parses_every_field_of_a_plain_line()
    {
        var entry = MountInfoParser.ParseLine("27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard");

        Assert.Equal(new MountEntry(27, 1, "254:0", "/", "/", "ext4", "/dev/vda"), entry);
    }

    [Fact]
    public void Skips_optional_fields_up_to_the_separator()
    {
        var entries = MountInfoParser.Parse(Fixture);

        var netns = Assert.Single(entries, e => e.MountId == 43);
        Assert.Equal("net:[4026532177]", netns.Root);
        Assert.Equal("/run/netns/nat3f9a2c", netns.MountPoint);
        Assert.Equal("nsfs", netns.FileSystemType);
        var tmpfs = Assert.Single(entries, e => e.MountId == 50);
        Assert.Equal(("tmpfs", "nat3f9a2c-src"), (tmpfs.FileSystemType, tmpfs.Source));
    }

    [Fact]
    public void Unescapes_octal_sequences_in_paths()
    {
        var entry = Assert.Single(MountInfoParser.Parse(Fixture), e => e.MountId == 50);

        Assert.Equal("/tmp/with space", entry.MountPoint);
        Assert.Equal(@"a\b", MountInfoParser.Unescape(@"a\134b"));
        Assert.Equal(@"keep\9x", MountInfoParser.Unescape(@"keep\9x"));
    }

    [Fact]
    public void Rejects_a_line_without_the_separator()
    {
        Assert.Throws<FormatException>(() => MountInfoParser.ParseLine("27 1 254:0 / / rw,relatime ext4 /dev/vda rw"));
        Assert.Throws<FormatException>(() => MountInfoParser.ParseLine("27 1 254:0"));
    }

    [Fact]
    public void Probe_matches_mount_point_or_source_ignoring_case()
    {
        var mounts = MountInfoParser.Parse(Fixture);

        Assert.Equal([43, 50], MountProbe.Find(mounts, "NAT3F9A2C").Select(m => m.MountId));
        Assert.Empty(MountProbe.Find(mounts, "nat000000"));
    }

    [Fact]
    public void Cgroup_roots_are_the_v1_and_v2_mounts_once_each()
    {
        var bindMountOfPids = MountInfoParser.ParseLine("60 27 0:36 / /var/lib/x/pids rw - cgroup cgroup rw,pids");

        var roots = CgroupProbe.Roots([.. MountInfoParser.Parse(Fixture), bindMountOfPids]);

        Assert.Equal(["/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified"], roots);
    }
}
