using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using NodeAgent.Controllers.Machinery;
using NodeAgent.Cri;
using NodeAgent.Cri.V1;
using NodeAgent.Node.Eviction;
using NodeAgent.Node.Gc;
using NodeAgent.Node.Images;
using NodeAgent.Node.Logs;
using NodeAgent.Node.Pleg;
using NodeAgent.Node.Pods;

namespace NodeAgent.Node.Api;

/// <summary>
/// The kubelet role as an API client: registers the Node and keeps its status and Lease, watches the pods bound to
/// it, runs one worker per pod against the CRI runtime, writes their statuses and events, and deletes pods whose
/// graceful termination finished. Disposing stops the role but leaves running containers alone (a restarted agent
/// adopts them).
/// </summary>
public sealed partial class NodeRole : IApiComponent
{
    private const string PodUidIndex = "uid";
    private readonly NodeRoleOptions _options;
    private readonly ILogger _logger;
    // Everything started, in start order; stopped in reverse (the pod source first, so no new work arrives).
    private readonly List<IAsyncDisposable> _started = [];
    private CriClient? _cri;
    private NodePodSource? _pods;
    private PodStatusWriter? _statuses;

    public NodeRole(NodeRoleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = options.LoggerFactory.CreateLogger<NodeRole>();
    }

    public string NodeName => _options.Node.NodeName;

    public NodeRegistration? Registration { get; private set; }

    public NodeLease? Lease { get; private set; }

    public PodWorkers? Workers { get; private set; }

    public PodLifecycleEventGenerator? Pleg { get; private set; }

    public ContainerGarbageCollector? ContainerGc { get; private set; }

    public ImageGarbageCollector? ImageGc { get; private set; }

    public EvictionManager? Eviction { get; private set; }

    public RuntimeHealth? RuntimeHealth { get; private set; }
    public ContainerLogManager? ContainerLogs { get; private set; }

    /// <summary>Registers the node, starts its heartbeats, syncs the caches and starts the pod workers; returns when all run.</summary>
    public async Task StartAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var loggers = _options.LoggerFactory;
        var time = _options.Time;

        _cri = CriClientFactory.Connect(_options.CriEndpoint);
        var version = await _cri.Runtime.VersionAsync(new VersionRequest { Version = "v1" }, cancellationToken: cancellationToken).ConfigureAwait(false);
        var identity = new NodeIdentity
        {
            NodeName = NodeName,
            HostIP = _options.Node.HostIP,
            ContainerRuntimeVersion = version.RuntimeName + "://" + version.RuntimeVersion,
            KubeletVersion = _options.KubeletVersion,
            PodCidr = _options.PodCidr,
            MaxPods = _options.MaxPods,
        };

        // The first runtime Status before the first node status, so Ready starts out right.
        RuntimeHealth = Started(new RuntimeHealth(_cri.Runtime, time, loggers.CreateLogger<RuntimeHealth>())
        {
            Interval = _options.RuntimeStatusInterval,
            Threshold = _options.RuntimeDownThreshold,
        });
        await RuntimeHealth.CheckAsync(cancellationToken).ConfigureAwait(false);
        RuntimeHealth.Start();
        var events = Started(new EventRecorder(client, new EventSource("kubelet", NodeName), time, loggers.CreateLogger<EventRecorder>()));
        var nodeReference = new V1ObjectReference { Kind = "Node", Name = NodeName, Uid = NodeName };
        events.Record(nodeReference, "Normal", "Starting", "Starting kubelet.");
        Registration = Started(new NodeRegistration(client, identity, () => MachineInfo.Read(_options.DataDir), _options)
        {
            NodeEvent = (reason, message) => events.Record(nodeReference, "Normal", reason, message),
        });
        await Registration.RegisterAsync(cancellationToken).ConfigureAwait(false);
        Registration.Start();
        Lease = Started(new NodeLease(client, NodeName, () => Registration.NodeUid, _options));
        await Lease.StartAsync(cancellationToken).ConfigureAwait(false);

        var objects = Started(new InformerPodObjectSource(client, time, loggers));
        await objects.StartAsync(cancellationToken).ConfigureAwait(false);
        _pods = Started(new NodePodSource(client, NodeName, time, loggers));
        await _pods.StartAsync(cancellationToken).ConfigureAwait(false);
        var statuses = _statuses = Started(new PodStatusWriter(client, _pods.Cache.Get, time, loggers));
        statuses.Start();

        PodWorkers? workers = null;
        var syncer = Started(new PodSyncer(new PodSyncerServices
        {
            Options = _options.Node,
            Cri = _cri,
            Objects = objects,
            Events = new PodEventRecorder(events),
            Time = time,
            ContainerBackoff = _options.ContainerBackoff,
            OnProbeChange = uid => workers?.Resync(uid),
            OnInterimStatus = (pod, status) => statuses.Set(pod, status, deleteAfter: false),
            LoggerFactory = loggers,
        }));
        workers = Started(new PodWorkers((work, ct) => SyncAsync(syncer, work, ct), OnStatus, _options.Workers, time, loggers.CreateLogger<PodWorkers>()));
        Workers = workers;
        _pods.FeedTo(workers);
        Pleg = Started(new PodLifecycleEventGenerator(_cri.Runtime, workers.Resync, _options.Pleg, time, loggers.CreateLogger<PodLifecycleEventGenerator>()));
        Pleg.Start();
        var pleg = Pleg;
        var runtimeHealth = RuntimeHealth;
        Registration.NotReady = () => RuntimeReadiness.Message(runtimeHealth.Errors(pleg.Problem));
        // Only now, with the pod cache synced, can "not in the API" be told from "not seen yet".
        _pods.Cache.AddIndex(PodUidIndex, pod => [pod.Metadata.Uid]);
        ContainerGc = Started(new ContainerGarbageCollector(
            _cri.Runtime,
            uid => workers.Has(uid) || _pods.Cache.ByIndex(PodUidIndex, uid).Count > 0,
            (orphan, ct) => syncer.TerminateAsync(OrphanPodObject(orphan), orphan.GracePeriodSeconds, ct),
            _options.ContainerGc,
            time,
            loggers.CreateLogger<ContainerGarbageCollector>()));
        ContainerGc.Start();
        ImageGc = Started(new ImageGarbageCollector(
            _cri,
            (reason, message) => events.Record(nodeReference, "Warning", reason, message),
            _options.ImageGc,
            time,
            loggers.CreateLogger<ImageGarbageCollector>()));
        ImageGc.Start();
        Eviction = Started(NewEvictionManager(workers, events, nodeReference));
        var eviction = Eviction;
        Registration.Pressure = () => eviction.Conditions;
        Eviction.Start();
        ContainerLogs = Started(new ContainerLogManager(_cri.Runtime, _options.ContainerLogs, time, loggers.CreateLogger<ContainerLogManager>()));
        ContainerLogs.Start();
        LogStarted(_logger, NodeName, identity.ContainerRuntimeVersion);
    }

    private EvictionManager NewEvictionManager(PodWorkers workers, EventRecorder events, V1ObjectReference nodeReference)
    {
        var cri = _cri!;
        var usage = new PodUsageCollector(cri.Runtime, _options.Node);
        var podEvents = new PodEventRecorder(events);
        var registration = Registration!;
        return new EvictionManager(
            new EvictionServices
            {
                Observe = async ct =>
                {
                    var imageFs = (await cri.Images.ImageFsInfoAsync(new ImageFsInfoRequest(), cancellationToken: ct).ConfigureAwait(false)).ImageFilesystems.FirstOrDefault()?.FsId?.Mountpoint;
                    return SignalObservations.Observe(_options.DataDir, string.IsNullOrEmpty(imageFs) ? null : imageFs);
                },
                ActivePods = () => _pods!.Cache.List()
                    .Where(p => p.Metadata.DeletionTimestamp is null && p.Status?.Phase is not ("Succeeded" or "Failed") && workers.Has(p.Metadata.Uid))
                    .ToList(),
                PodUsage = usage.CollectAsync,
                ReclaimNodeLevel = async (_, ct) =>
                {
                    // kubelet's reclaim for disk: every dead container, then every unused image.
                    await ContainerGc!.CollectAsync(ct, removeAllDead: true).ConfigureAwait(false);
                    await ImageGc!.DeleteUnusedImagesAsync(ct).ConfigureAwait(false);
                },
                Evict = (pod, eviction) => workers.Update(new PodWork(pod, Eviction: eviction)),
                PodEvent = podEvents.Publish,
                NodeEvent = (type, reason, message) => events.Record(nodeReference, type, reason, message),
                OnPressureChanged = registration.RequestUpdate,
            },
            _options.Eviction,
            _options.Time,
            _options.LoggerFactory.CreateLogger<EvictionManager>());
    }

    /// <summary>Stops what started (also after a failed start): the pod source first, then the rest in reverse order.</summary>
    public async ValueTask DisposeAsync()
    {
        var order = _started.Where(p => p is NodePodSource).Concat(Enumerable.Reverse(_started).Where(p => p is not NodePodSource)).ToList();
        _started.Clear();
        foreach (var part in order)
        {
            await part.DisposeAsync().ConfigureAwait(false);
        }

        _cri?.Dispose();
        _cri = null;
    }

    private T Started<T>(T part)
        where T : IAsyncDisposable
    {
        _started.Add(part);
        return part;
    }

    private async Task<V1PodStatus> SyncAsync(PodSyncer syncer, PodWork work, CancellationToken cancellationToken)
    {
        if (!work.Terminate)
        {
            return work.Eviction is { } eviction
                ? await syncer.EvictAsync(work.Pod, eviction, cancellationToken).ConfigureAwait(false)
                : await syncer.SyncAsync(work.Pod, cancellationToken).ConfigureAwait(false);
        }

        var status = await syncer.TerminateAsync(work.Pod, work.GracePeriodSeconds, cancellationToken).ConfigureAwait(false);
        _pods!.MarkFinished(work.Pod.Metadata.Uid);
        return status;
    }

    /// <summary>The little of a pod that terminating its runtime leftovers needs (names for the log dir, the uid for the rest).</summary>
    private static V1Pod OrphanPodObject(OrphanPod orphan) => new()
    {
        Metadata = new V1ObjectMeta { Name = orphan.Name, NamespaceProperty = orphan.Namespace, Uid = orphan.Uid },
        Spec = new V1PodSpec { Containers = [] },
    };

    private void OnStatus(V1Pod pod, V1PodStatus status)
    {
        // A pod being deleted whose worker just terminated it: write the final status, then let the deletion complete.
        // (A sync of a pod with a deletionTimestamp always terminates it, so here it is done.)
        _statuses!.Set(pod, status, deleteAfter: pod.Metadata.DeletionTimestamp is not null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node role {Node} started on runtime {Runtime}")]
    private static partial void LogStarted(ILogger logger, string node, string runtime);
}
