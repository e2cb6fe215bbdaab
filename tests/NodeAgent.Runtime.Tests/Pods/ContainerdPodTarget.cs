using System.Net;
using NodeAgent.Cri;
using NodeAgent.Cri.V1;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Containerd;
using NodeAgent.Testing.Leaks;

namespace NodeAgent.Runtime.Tests.Pods;

/// <summary>Debian's containerd (private root, bridge and /24) with busybox pulled: the reference behaviour.</summary>
public sealed class ContainerdPodTarget : IPodRuntimeTarget, IAsyncLifetime
{
    private readonly ContainerdFixture _containerd = new();
    private readonly TempDirectory _logs;

    public ContainerdPodTarget()
    {
        Prefix = TestIds.NewPrefix();
        _logs = new TempDirectory(Prefix);
    }

    public CriClient Client => _containerd.Containerd.Client;

    public string Prefix { get; }

    public string LogRoot => _logs.Path;

    public string BusyboxImage => _containerd.BusyboxReference;

    public IPNetwork PodSubnet => IPNetwork.Parse(_containerd.Containerd.Settings.PodSubnet);

    public bool LimitsPidsThroughUnified => File.Exists("/sys/fs/cgroup/cgroup.controllers");

    public async Task InitializeAsync()
    {
        using var deadline = TestDeadline.Seconds(120);
        await _containerd.InitializeAsync();
        await Client.Images.PullImageAsync(new PullImageRequest { Image = new ImageSpec { Image = BusyboxImage } }, cancellationToken: deadline.Token);
    }

    public async Task DisposeAsync()
    {
        await _containerd.DisposeAsync();
        _logs.Dispose();

        // The pods' cgroup parents (named by the tests, as a kubelet names its own) belong to the tests.
        HostCleanup.RemoveCgroups(Prefix);
        using var cleanup = TestDeadline.Seconds(30);
        await LeakCheck.AssertCleanAsync(Prefix, cleanup.Token);
    }
}
