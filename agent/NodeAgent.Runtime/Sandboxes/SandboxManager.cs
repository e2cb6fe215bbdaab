using Microsoft.Extensions.Logging;
using NodeAgent.Cri.Diagnostics;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Containers.Spec;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Network;
using NodeAgent.Runtime.Oci;
using NodeAgent.Runtime.Oci.Spec;
using NodeAgent.Runtime.State;

namespace NodeAgent.Runtime.Sandboxes;

/// <summary>
/// Pod sandboxes: a pinned network namespace wired by CNI, the shared files, a /dev/shm tmpfs and
/// the IPC/UTS namespaces — pinned as files (<see cref="NamespacePins"/>), or held by an infra process
/// (catatonit -P under runc, no monitor) when the pod shares its PID namespace or sets sysctls.
/// Every step of <see cref="RunAsync"/> is undone when a later one fails.
/// </summary>
public sealed partial class SandboxManager
{
    private readonly ObjectIndex<SandboxRecord> _index;
    private readonly IPodNetwork _network;
    private readonly IOciRuntime _oci;
    private readonly SandboxFilesWriter _files;
    private readonly NamespacePins _pins;
    private readonly SandboxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SandboxManager> _logger;

    internal SandboxManager(
        ObjectIndex<SandboxRecord> index,
        IPodNetwork network,
        IOciRuntime oci,
        SandboxFilesWriter files,
        NamespacePins pins,
        SandboxOptions options,
        TimeProvider time,
        ILogger<SandboxManager> logger)
    {
        _index = index;
        _network = network;
        _oci = oci;
        _files = files;
        _pins = pins;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public IEnumerable<SandboxRecord> List() => _index.All;

    public SandboxRecord Get(string id) => _index.Get(id);

    public SandboxRecord? Find(string id) => _index.Find(id);

    public string DirectoryOf(string id) => _index.Disk.DirectoryOf(id);

    public static string NameOf(PodSandboxMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return $"{metadata.Name}_{metadata.Namespace}_{metadata.Uid}_{metadata.Attempt}";
    }

    public async Task<SandboxRecord> RunAsync(PodSandboxConfig config, string runtimeHandler, CancellationToken cancellationToken)
    {
        Validate(config);
        var id = RuntimeIds.New();
        var name = NameOf(config.Metadata);
        if (!_index.TryReserve(name, id, out var existing))
        {
            // A retried RunPodSandbox (the caller timed out) gets the sandbox the first call made.
            return _index.Find(existing) is { State: SandboxState.Ready } ready
                ? ready
                : throw new RuntimeException(RuntimeErrorKind.AlreadyExists, $"sandbox name {name} is reserved by {existing}");
        }

        using var held = await _index.LockAsync(id, cancellationToken);
        var hostNetwork = config.Linux?.SecurityContext?.NamespaceOptions?.Network == NamespaceMode.Node;
        var record = new SandboxRecord
        {
            Id = id,
            Config = SandboxRecord.Serialize(config),
            CreatedAt = _time.GetUtcNow(),
            State = SandboxState.Creating,
            RuntimeHandler = runtimeHandler,
            HostNetwork = hostNetwork,
            CgroupParent = CgroupPaths.PodParent(config, id),
            ShmPath = config.Linux?.SecurityContext?.NamespaceOptions?.Ipc == NamespaceMode.Node ? null : Path.Combine(_options.RunDirectory, id, "shm"),
        };

        var timer = new StepTimer();
        try
        {
            await _index.SaveAsync(record, cancellationToken);
            timer.Mark("save-creating");
            record = await SetUpAsync(record, config, timer, cancellationToken);
            record = record with { State = SandboxState.Ready };
            // The durable Creating record already makes recovery tear this sandbox down after a power cut.
            await _index.SaveAsync(record, durable: false, cancellationToken);
            timer.Mark("save-ready");
            LogSandboxReady(_logger, id, name, record.Ips);
            LogSteps(_logger, "sandbox-run", id, timer);
            return record;
        }
        catch (Exception e)
        {
            LogSandboxFailed(_logger, name, e.Message);
            // Compensation runs to completion even when the caller has gone.
            await TearDownAsync(record, CancellationToken.None);
            _index.Delete(id);
            _index.Release(name, id);
            throw;
        }
    }

    /// <summary>Stops the infra process and releases the network; the record stays (NotReady) until removed. Idempotent.</summary>
    public async Task StopAsync(string id, CancellationToken cancellationToken)
    {
        var record = _index.Get(id);
        using var held = await _index.LockAsync(record.Id, cancellationToken);
        // The kill and CNI DEL are independent (DEL tolerates live processes in the netns): run them together.
        await Task.WhenAll(
            record.HasPins ? Task.CompletedTask : StopInfraAsync(record, CancellationToken.None),
            _network.TearDownAsync(record.Id, CancellationToken.None));
        if (record.ShmPath is not null)
        {
            await _files.UnmountShmAsync(record.ShmPath, CancellationToken.None);
        }

        if (record.State != SandboxState.NotReady)
        {
            await _index.SaveAsync(record with { State = SandboxState.NotReady }, CancellationToken.None);
        }
    }

    /// <summary>Removes everything of a sandbox (the caller removed its containers first). A missing sandbox is not an error.</summary>
    public async Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        if (_index.Find(id) is not { } record)
        {
            return;
        }

        using var held = await _index.LockAsync(record.Id, cancellationToken);
        await TearDownAsync(record, CancellationToken.None);
        _index.Delete(record.Id);
        _index.Release(NameOf(record.ParseConfig().Metadata), record.Id);
        LogSandboxRemoved(_logger, record.Id);
    }

    /// <summary>
    /// Whether what holds the sandbox's namespaces is still there: the infra process (after a
    /// restart, or when someone killed it), or the namespace pins of a sandbox without one.
    /// </summary>
    public static bool IsInfraAlive(SandboxRecord record)
        => record is not null && (record.HasPins ? NamespacePins.Exist(record.Pins) : ProcessSignals.IsAlive(record.InfraPid));

    /// <summary>At start: loads records and tears down sandboxes a crash left half set up.</summary>
    internal async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var orphans = _index.Load(r => NameOf(r.ParseConfig().Metadata));
        foreach (var orphan in orphans)
        {
            await TearDownAsync(new SandboxRecord { Id = orphan, Config = [], CreatedAt = _time.GetUtcNow(), ShmPath = Path.Combine(_options.RunDirectory, orphan, "shm") }, cancellationToken);
            _index.Delete(orphan);
        }

        foreach (var record in _index.All.Where(r => r.State == SandboxState.Creating).ToList())
        {
            await TearDownAsync(record, cancellationToken);
            _index.Delete(record.Id);
            _index.Release(NameOf(record.ParseConfig().Metadata), record.Id);
        }
    }

    private async Task<SandboxRecord> SetUpAsync(SandboxRecord record, PodSandboxConfig config, StepTimer timer, CancellationToken cancellationToken)
    {
        var directory = _index.Disk.DirectoryOf(record.Id);
        var bundle = Path.Combine(directory, "bundle");
        var rootfs = Path.Combine(bundle, "rootfs");

        // CNI ADD is the slowest step and the infra process only needs the pinned netns, not the
        // plugins' result: the pod's files, /dev/shm and `runc run` of the infra proceed while the
        // plugins run. WhenAll lets both branches finish before a failure reaches the caller's
        // rollback (which kills and deletes the infra by id, so a half-started one is covered too).
        var netnsReady = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<PodNetworkResult?> network;
        if (record.HostNetwork)
        {
            netnsReady.SetResult(null);
            network = Task.FromResult<PodNetworkResult?>(null);
        }
        else
        {
            network = SetUpNetworkAsync(record, config, netnsReady, timer, cancellationToken);
        }

        if (!NeedsInfra(config))
        {
            var pinning = PinNamespacesAsync(record, config, directory, rootfs, timer, cancellationToken);
            await Task.WhenAll(network, pinning);
            timer.Mark("network+pins");
            var pins = await pinning;
            record = record with { IpcNamespacePath = pins.IpcPath, UtsNamespacePath = pins.UtsPath };
        }
        else
        {
            var infra = StartInfraAsync(record, config, directory, bundle, rootfs, netnsReady.Task, timer, cancellationToken);
            await Task.WhenAll(network, infra);
            timer.Mark("network+infra");
            record = record with { InfraPid = await infra };
        }

        if (await network is { } result)
        {
            // Not saved on its own: recovery tears a Creating sandbox's network down by its id.
            record = record with { NetnsPath = result.NetnsPath, Ips = result.Addresses.Select(a => a.ToString()).ToList() };
        }

        return record;
    }

    private async Task<PodNetworkResult?> SetUpNetworkAsync(
        SandboxRecord record, PodSandboxConfig config, TaskCompletionSource<string?> netnsReady, StepTimer timer, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var request = new PodNetworkRequest(record.Id, config.Metadata.Name, config.Metadata.Namespace, config.Metadata.Uid, PortMappingsOf(config))
            {
                NamespaceCreated = path => netnsReady.TrySetResult(path),
            };
            var result = await _network.SetUpAsync(request, cancellationToken);
            netnsReady.TrySetResult(result.NetnsPath);
            timer.Add("network", System.Diagnostics.Stopwatch.GetElapsedTime(started));
            return result;
        }
        catch (Exception e)
        {
            // The infra branch must not wait forever for a namespace that will never exist.
            netnsReady.TrySetException(e);
            throw;
        }
    }

    /// <summary>
    /// An infra process is needed only for what a pinned namespace cannot give: a PID namespace
    /// shared by the pod's containers (catatonit is its init) and namespaced sysctls (runc applies
    /// them when it starts the infra).
    /// </summary>
    private static bool NeedsInfra(PodSandboxConfig config)
        => config.Linux?.SecurityContext?.NamespaceOptions?.Pid is null or NamespaceMode.Pod
            || config.Linux.Sysctls.Count > 0
            || !NamespacePins.Available;

    private async Task<PinnedNamespaces> PinNamespacesAsync(
        SandboxRecord record, PodSandboxConfig config, string directory, string rootfs, StepTimer timer, CancellationToken cancellationToken)
    {
        await PrepareLocalAsync(record, config, directory, rootfs, timer, cancellationToken);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var ipc = config.Linux?.SecurityContext?.NamespaceOptions?.Ipc != NamespaceMode.Node;
        var pins = await _pins.PinAsync(RunDirectoryOf(record.Id), ipc, uts: !record.HostNetwork, config.Hostname ?? "", cancellationToken);
        timer.Add("pins", System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return pins;
    }

    private string RunDirectoryOf(string id) => Path.Combine(_options.RunDirectory, id);

    private PinnedNamespaces PinsOf(string id)
        => new(Path.Combine(RunDirectoryOf(id), "ipc"), Path.Combine(RunDirectoryOf(id), "uts"));

    private async Task<int> StartInfraAsync(
        SandboxRecord record, PodSandboxConfig config, string directory, string bundle, string rootfs,
        Task<string?> netnsReady, StepTimer timer, CancellationToken cancellationToken)
    {
        await PrepareLocalAsync(record, config, directory, rootfs, timer, cancellationToken);
        var netnsPath = await netnsReady;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var spec = SandboxSpecBuilder.Build(new SandboxSpecInput(
            record.Id, config, rootfs, _options.CatatonitPath, netnsPath, CgroupPaths.ForContainer(record.CgroupParent, record.Id)));
        await RuntimeSpecFile.WriteAsync(Path.Combine(bundle, "config.json"), spec, cancellationToken);
        var pid = await _oci.RunDetachedAsync(record.Id, bundle, cancellationToken);
        timer.Add("infra", System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return pid;
    }

    private async Task PrepareLocalAsync(SandboxRecord record, PodSandboxConfig config, string directory, string rootfs, StepTimer timer, CancellationToken cancellationToken)
    {
        // Off the caller's thread: the file writes are synchronous underneath and should not delay the CNI plugins' start.
        await Task.Yield();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await SandboxFilesWriter.WriteAsync(directory, config, record.HostNetwork, cancellationToken);
        if (record.ShmPath is not null)
        {
            await _files.MountShmAsync(record.ShmPath, cancellationToken);
        }

        Directory.CreateDirectory(rootfs);
        timer.Add("files+shm", System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }

    private async Task TearDownAsync(SandboxRecord record, CancellationToken cancellationToken)
    {
        // A sandbox known to have pinned namespaces never had an infra process; a stopped sandbox's
        // infra was killed by StopAsync. Otherwise (also a rollback, where the record predates the
        // infra) kill and delete by id: both tolerate a container that does not exist.
        if (!record.HasPins)
        {
            if (record.State != SandboxState.NotReady)
            {
                await StopInfraAsync(record, cancellationToken);
            }

            await _oci.DeleteAsync(record.Id, cancellationToken);
        }

        await _network.TearDownAsync(record.Id, cancellationToken);
        if (record.ShmPath is not null)
        {
            await _files.UnmountShmAsync(record.ShmPath, cancellationToken);
        }

        // By their fixed paths, so a rollback or a crash recovery finds pins its record does not name.
        await _pins.RemoveAsync(PinsOf(record.Id), cancellationToken);
        DeleteDirectory(RunDirectoryOf(record.Id));

        // A parent the CRI client named (a kubelet's pod cgroup) is the client's; the default one is ours.
        if (record.CgroupParent.StartsWith(CgroupPaths.DefaultRoot + "/", StringComparison.Ordinal))
        {
            CgroupDirectories.RemoveEmpty(record.CgroupParent);
        }
    }

    /// <summary>SIGKILL to every infra process; no <c>runc state</c> first, since a kill of a stopped or missing container is tolerated.</summary>
    private Task StopInfraAsync(SandboxRecord record, CancellationToken cancellationToken)
        => _oci.KillAsync(record.Id, ProcessSignals.SigKill, all: true, cancellationToken);

    private static List<Network.PortMapping> PortMappingsOf(PodSandboxConfig config)
        => config.PortMappings
            .Where(p => p.HostPort > 0)
            .Select(p => new Network.PortMapping(p.Protocol.ToString().ToLowerInvariant(), p.ContainerPort, p.HostPort, string.IsNullOrEmpty(p.HostIp) ? null : p.HostIp))
            .ToList();

    private static void Validate(PodSandboxConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Metadata is null || string.IsNullOrEmpty(config.Metadata.Name) || string.IsNullOrEmpty(config.Metadata.Namespace))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, "sandbox config: metadata.name and metadata.namespace are required");
        }
    }

    private static void DeleteDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "sandbox {Id} ({Name}) ready, IPs {Ips}")]
    private static partial void LogSandboxReady(ILogger logger, string id, string name, IReadOnlyList<string> ips);

    [LoggerMessage(Level = LogLevel.Warning, Message = "sandbox {Name} failed, rolled back: {Error}")]
    private static partial void LogSandboxFailed(ILogger logger, string name, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Operation} {Id} steps (ms): {Steps}")]
    internal static partial void LogSteps(ILogger logger, string operation, string id, StepTimer steps);

    [LoggerMessage(Level = LogLevel.Information, Message = "sandbox {Id} removed")]
    private static partial void LogSandboxRemoved(ILogger logger, string id);
}

/// <summary>Sandbox settings derived from the runtime options.</summary>
public sealed record SandboxOptions(string RunDirectory, string CatatonitPath = "/usr/bin/catatonit");
