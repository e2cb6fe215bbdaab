using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Containers.Spec;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Tests.Containers.Spec;

public sealed class CgroupPathsTests
{
    [Fact]
    public void Pod_parent_defaults_under_nodeagent_and_containers_nest_below_it()
    {
        var parent = CgroupPaths.PodParent(new PodSandboxConfig(), "sb-1");
        Assert.Equal("/nodeagent/sb-1", parent);
        Assert.Equal("/nodeagent/sb-1/ctr-1", CgroupPaths.ForContainer(parent, "ctr-1"));
    }

    [Fact]
    public void Pod_parent_comes_from_the_cri_cgroup_parent()
    {
        var config = new PodSandboxConfig { Linux = new LinuxPodSandboxConfig { CgroupParent = "/kubepods/burstable/pod1234/" } };
        Assert.Equal("/kubepods/burstable/pod1234", CgroupPaths.PodParent(config, "sb-1"));
    }

    [Theory]
    [InlineData("kubepods")]
    [InlineData("kubepods-burstable.slice:cri-containerd:abc")]
    [InlineData("/kubepods/../../etc")]
    [InlineData("/kubepods/./x")]
    [InlineData("/kubepods//x")]
    [InlineData("/")]
    [InlineData("/kube\npods")]
    public void Unsafe_or_systemd_paths_are_invalid(string path)
    {
        var e = Assert.Throws<RuntimeException>(() => CgroupPaths.Validate(path));
        Assert.Equal(RuntimeErrorKind.Invalid, e.Kind);
        Assert.Throws<RuntimeException>(() => CgroupPaths.PodParent(new PodSandboxConfig { Linux = new LinuxPodSandboxConfig { CgroupParent = path } }, "sb"));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("")]
    public void Ids_that_are_not_one_path_component_are_invalid(string id)
        => Assert.Throws<RuntimeException>(() => CgroupPaths.ForContainer("/nodeagent/sb-1", id));
}
