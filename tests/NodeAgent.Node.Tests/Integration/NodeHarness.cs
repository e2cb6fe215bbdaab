using Grpc.Core;
using k8s.Models;
using NodeAgent.Cri.V1;
using NodeAgent.Node.Pods;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Containerd;
using NodeAgent.Testing.Leaks;
using NodeAgent.Testing.NodeAgentCri;
using NodeAgent.Testing.Registry;

namespace NodeAgent.Node.Tests.Integration;

/// <summary>
/// A real <c>nodeagent cri</c> with its own prefix, data dir, bridge and /24, and a <see cref="PodSyncer"/> on it.
/// Disposing terminates every pod, stops the runtime and checks that no sandbox left anything on the host.
/// </summary>
internal sealed class NodeHarness : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly List<V1Pod> _pods = [];

    private NodeHarness(BusyboxRegistry registry, string prefix, TempDirectory directory, NodeAgentCriProcess runtime)
    {
        Prefix = prefix;
        _directory = directory;
        Runtime = runtime;
        Image = registry.Image;
        Options = new NodeOptions
        {
            NodeName = "node-1",
            HostIP = "127.0.0.1",
            PodsRoot = directory.Combine("pods"),
            PodLogsRoot = directory.Combine("logs"),
            CgroupRoot = prefix,
        };
        Syncer = new PodSyncer(new PodSyncerServices
        {
            Options = Options,
            Cri = runtime.Client,
            Objects = Objects,
            Events = Events,
            // Short CrashLoopBackOff so a test sees several restarts; the doubling itself is unit-tested.
            ContainerBackoff = new RestartBackoff(TimeProvider.System) { Initial = TimeSpan.FromSeconds(1), Max = TimeSpan.FromSeconds(4) },
            OnInterimStatus = (_, status) => InterimStatuses.Enqueue((DateTimeOffset.UtcNow, status)),
        });
    }

    public string Prefix { get; }

    public string Image { get; }

    public NodeOptions Options { get; }

    public NodeAgentCriProcess Runtime { get; }

    public RuntimeService.RuntimeServiceClient Cri => Runtime.Client.Runtime;

    public InMemoryObjects Objects { get; } = new();

    public RecordingEvents Events { get; } = new();

    /// <summary>The statuses the syncer reported before a long kill ended, with when.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<(DateTimeOffset At, V1PodStatus Status)> InterimStatuses { get; } = new();

    public PodSyncer Syncer { get; }

    public string TempPath(string name) => _directory.Combine(name);

    /// <param name="extraRegistries">Further registries (e.g. one with basic auth) the runtime may pull from over plain HTTP.</param>
    public static async Task<NodeHarness> StartAsync(BusyboxRegistry registry, CancellationToken cancellationToken, params RegistryFixture[] extraRegistries)
    {
        var prefix = TestIds.NewPrefix();
        var directory = new TempDirectory(prefix);
        var runtime = await NodeAgentCriProcess.StartAsync(
            new NodeAgentCriSettings { Prefix = prefix, BaseDirectory = directory.Path, InsecureRegistries = [registry.Registry.Host, .. extraRegistries.Select(r => r.Host)] },
            cancellationToken);
        return new NodeHarness(registry, prefix, directory, runtime);
    }

    public V1Pod Pod(string name, params V1Container[] containers)
    {
        var pod = TestPods.Pod(Prefix + "-" + name, containers);
        pod.Spec.TerminationGracePeriodSeconds = 2;
        _pods.Add(pod);
        return pod;
    }

    public V1Container Container(string name, params string[] command) => TestPods.Container(name, Image, command);

    /// <summary>Syncs level-triggered, as a pod worker would, until the status satisfies <paramref name="until"/>.</summary>
    public Task<V1PodStatus> SyncUntilAsync(V1Pod pod, Func<V1PodStatus, bool> until, string what, CancellationToken cancellationToken)
        => Eventually.UntilAsync(
            async ct =>
            {
                var status = await Syncer.SyncAsync(pod, ct);
                return until(status) ? status : null;
            },
            what,
            cancellationToken,
            TimeSpan.FromMilliseconds(100));

    public async Task<(int ExitCode, string Stdout)> ExecAsync(V1PodStatus status, string container, CancellationToken cancellationToken, params string[] command)
    {
        var id = ContainerId(status, container);
        var response = await Cri.ExecSyncAsync(new ExecSyncRequest { ContainerId = id, Cmd = { command }, Timeout = 10 }, cancellationToken: cancellationToken);
        return (response.ExitCode, response.Stdout.ToStringUtf8());
    }

    public static string ContainerId(V1PodStatus status, string container)
    {
        var cs = status.ContainerStatuses.Concat(status.InitContainerStatuses ?? []).Single(c => c.Name == container);
        return cs.ContainerID[(cs.ContainerID.IndexOf("://", StringComparison.Ordinal) + 3)..];
    }

    public async Task<List<string>> SandboxIdsAsync(V1Pod pod, CancellationToken cancellationToken)
        => (await Cri.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = new PodSandboxFilter { LabelSelector = { [PodLabels.PodUid] = pod.Metadata.Uid } } }, cancellationToken: cancellationToken))
            .Items.Select(s => s.Id).ToList();

    public async ValueTask DisposeAsync()
    {
        using var cleanup = TestDeadline.Seconds(60);
        var sandboxIds = new List<string>();
        try
        {
            sandboxIds.AddRange((await Cri.ListPodSandboxAsync(new ListPodSandboxRequest(), cancellationToken: cleanup.Token)).Items.Select(s => s.Id));
            foreach (var pod in _pods)
            {
                await Syncer.TerminateAsync(pod, 0, cleanup.Token);
            }
        }
        catch (RpcException)
        {
            // The runtime died with the test; the leak check below still reports what it left.
        }

        await Syncer.DisposeAsync();
        await Runtime.DisposeAsync();
        await HostCleanup.DeleteBridgeAsync(Runtime.Settings.BridgeName, cleanup.Token);
        HostCleanup.RemoveCgroups(Prefix);
        _directory.Dispose();
        foreach (var id in sandboxIds)
        {
            await LeakCheck.AssertCleanAsync(id, cleanup.Token);
        }

        await LeakCheck.AssertCleanAsync(Prefix, cleanup.Token);
    }
}
