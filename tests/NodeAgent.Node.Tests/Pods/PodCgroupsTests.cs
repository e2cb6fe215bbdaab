using NodeAgent.Node.Pods;
using NodeAgent.Testing.Common;

namespace NodeAgent.Node.Tests.Pods;

/// <summary>The removal walk on a directory tree shaped like cgroupfs (empty directories stand for cgroups).</summary>
public sealed class PodCgroupsTests : IDisposable
{
    private readonly TempDirectory _dir = new(TestIds.NewPrefix());

    public void Dispose() => _dir.Dispose();

    private string Cgroup(string relative) => Directory.CreateDirectory(_dir.Combine(relative)).FullName;

    [Fact]
    public void The_pod_cgroup_goes_in_every_hierarchy_with_leftover_leaves_and_the_qos_parents_stay()
    {
        Cgroup("memory/kubepods/besteffort/podabc/0123");
        Cgroup("pids/kubepods/besteffort/podabc");
        Cgroup("unified/kubepods/besteffort/podabc");
        Cgroup("memory/kubepods/besteffort/podother");

        new PodCgroups(string.Empty, _dir.Path).Remove("abc");

        Assert.False(Directory.Exists(_dir.Combine("memory/kubepods/besteffort/podabc")));
        Assert.False(Directory.Exists(_dir.Combine("pids/kubepods/besteffort/podabc")));
        Assert.False(Directory.Exists(_dir.Combine("unified/kubepods/besteffort/podabc")));
        Assert.True(Directory.Exists(_dir.Combine("memory/kubepods/besteffort/podother")));
        Assert.True(Directory.Exists(_dir.Combine("memory/kubepods/besteffort")));
    }

    [Fact]
    public void A_cgroup_root_and_any_qos_class_are_found()
    {
        Cgroup("cpu/na/kubepods/poduid1");
        Cgroup("cpu/na/kubepods/burstable/poduid1");

        new PodCgroups("/na", _dir.Path).Remove("uid1");

        Assert.False(Directory.Exists(_dir.Combine("cpu/na/kubepods/poduid1")));
        Assert.False(Directory.Exists(_dir.Combine("cpu/na/kubepods/burstable/poduid1")));
    }

    [Fact]
    public void A_populated_cgroup_is_left_alone()
    {
        // A regular file makes rmdir fail the way a cgroup with live processes does.
        var pod = Cgroup("memory/kubepods/podbusy");
        File.WriteAllText(Path.Combine(Cgroup("memory/kubepods/podbusy/ctr"), "cgroup.procs"), "1\n");

        new PodCgroups(string.Empty, _dir.Path).Remove("busy");

        Assert.True(Directory.Exists(pod));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("..")]
    public void A_uid_that_would_escape_is_ignored(string uid)
    {
        var outside = Cgroup("memory/kubepods/x");

        new PodCgroups(string.Empty, _dir.Path).Remove(uid);

        Assert.True(Directory.Exists(outside));
    }
}
