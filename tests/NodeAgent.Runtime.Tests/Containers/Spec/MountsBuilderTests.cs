using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Containers.Spec;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Tests.Containers.Spec;

public sealed class MountsBuilderTests
{
    [Fact]
    public void Cri_mounts_replace_defaults_and_parents_come_before_children()
    {
        var config = new ContainerConfig
        {
            Mounts =
            {
                new Mount { ContainerPath = "/data/a/b", HostPath = "/h/b" },
                new Mount { ContainerPath = "/data", HostPath = "/h/data" },
                new Mount { ContainerPath = "/dev/shm", HostPath = "/h/shm" },
            },
        };
        var mounts = MountsBuilder.Build(config, SpecFixtures.Files, privileged: false, readonlyRootfs: false).Mounts;
        var destinations = mounts.Select(m => m.Destination).ToList();
        Assert.Equal("/h/shm", Assert.Single(mounts, m => m.Destination == "/dev/shm").Source);
        Assert.True(destinations.IndexOf("/data") < destinations.IndexOf("/data/a/b"));
        Assert.True(destinations.IndexOf("/dev") < destinations.IndexOf("/dev/shm"));
        Assert.True(destinations.IndexOf("/sys") < destinations.IndexOf("/sys/fs/cgroup"));
    }

    [Theory]
    [InlineData("/", "/h")]
    [InlineData("/data/../etc", "/h")]
    [InlineData("data", "/h")]
    [InlineData("/data", "relative")]
    public void Unsafe_mount_paths_are_invalid(string containerPath, string hostPath)
    {
        var config = new ContainerConfig { Mounts = { new Mount { ContainerPath = containerPath, HostPath = hostPath } } };
        var e = Assert.Throws<RuntimeException>(() => MountsBuilder.Build(config, SpecFixtures.Files, false, false));
        Assert.Equal(RuntimeErrorKind.Invalid, e.Kind);
    }

    [Fact]
    public void Recursive_read_only_needs_readonly_and_private_propagation()
    {
        var config = new ContainerConfig { Mounts = { new Mount { ContainerPath = "/d", HostPath = "/h", RecursiveReadOnly = true } } };
        Assert.Throws<RuntimeException>(() => MountsBuilder.Build(config, SpecFixtures.Files, false, false));
    }
}
