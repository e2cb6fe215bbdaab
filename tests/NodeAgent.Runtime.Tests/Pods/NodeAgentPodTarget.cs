using System.Net;
using NodeAgent.Cri;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Containerd;
using NodeAgent.Testing.Leaks;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.NodeAgentCri;
using NodeAgent.Testing.Registry;

namespace NodeAgent.Runtime.Tests.Pods;

/// <summary>A real <c>nodeagent cri</c> process with its own bridge, /24 and data dir, and busybox pulled from the test registry.</summary>
public sealed class NodeAgentPodTarget : IPodRuntimeTarget, IAsyncLifetime
{
    private readonly TempDirectory _directory;
    private NodeAgentCriProcess? _runtime;

    public NodeAgentPodTarget()
    {
        Prefix = TestIds.NewPrefix();
        _directory = new TempDirectory(Prefix);
    }

    public RegistryFixture Registry { get; } = new();

    public CriClient Client => Runtime.Client;

    public string Prefix { get; }

    public string LogRoot => _directory.Combine("pods");

    public string BusyboxImage => Registry.Reference("nodeagent-test/busybox", "latest");

    public IPNetwork PodSubnet => IPNetwork.Parse(Runtime.Settings.PodCidr);

    public bool LimitsPidsThroughUnified => true;

    public NodeAgentCriProcess Runtime => _runtime ?? throw new InvalidOperationException("not started");

    public async Task KillAndRestartAsync(CancellationToken cancellationToken) => await Runtime.KillAndRestartAsync(cancellationToken);

    public async Task InitializeAsync()
    {
        using var deadline = TestDeadline.Seconds(120);
        await Registry.StartAsync(deadline.Token);
        await Registry.PushImageAsync(TestImages.Busybox(), "nodeagent-test/busybox:latest", deadline.Token);
        _runtime = await NodeAgentCriProcess.StartAsync(
            new NodeAgentCriSettings { Prefix = Prefix, BaseDirectory = _directory.Path, InsecureRegistries = [Registry.Host] },
            deadline.Token);
        await Client.Images.PullImageAsync(new Cri.V1.PullImageRequest { Image = new Cri.V1.ImageSpec { Image = BusyboxImage } }, cancellationToken: deadline.Token);
    }

    public async Task DisposeAsync()
    {
        if (_runtime is not null)
        {
            await _runtime.DisposeAsync();
        }

        await Registry.DisposeAsync();
        using var cleanup = TestDeadline.Seconds(30);
        if (_runtime is not null)
        {
            await HostCleanup.DeleteBridgeAsync(_runtime.Settings.BridgeName, cleanup.Token);
        }

        // The pods' cgroup parents (named by the tests, as a kubelet names its own) belong to the tests.
        HostCleanup.RemoveCgroups(Prefix);
        _directory.Dispose();
        await LeakCheck.AssertCleanAsync(Prefix, cleanup.Token);
    }
}
