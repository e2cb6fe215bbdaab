using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using NodeAgent.Controllers.Machinery;

namespace NodeAgent.Node.Api;

/// <summary>
/// Registers this node's Node object and keeps its status current: a check every <c>StatusUpdateFrequency</c> (10 s,
/// kubelet's nodeStatusUpdateFrequency), a write only when something changed or the report frequency passed.
/// </summary>
public sealed partial class NodeRegistration : IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly NodeIdentity _identity;
    private readonly Func<MachineSnapshot> _machine;
    private readonly NodeRoleOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private V1NodeStatus? _reported;
    private Task? _loop;

    public NodeRegistration(IKubernetes client, NodeIdentity identity, Func<MachineSnapshot> machine, NodeRoleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _identity = identity;
        _machine = machine;
        _options = options;
        _logger = options.LoggerFactory.CreateLogger<NodeRegistration>();
    }

    /// <summary>Why the node is not Ready (kubelet's message, e.g. PLEG health), or null; asked at every status check.</summary>
    public Func<string?>? NotReady { get; set; }

    /// <summary>Records a Normal event on the Node (reason, message): kubelet's "Node X status is now: …" on condition changes.</summary>
    public Action<string, string>? NodeEvent { get; init; }

    /// <summary>The pressure conditions now True (the eviction manager's); each also taints the node NoSchedule.</summary>
    public Func<IReadOnlySet<string>>? Pressure { get; set; }

    /// <summary>Asks for a status check now instead of at the next tick (pressure changed).</summary>
    public void RequestUpdate()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another caller asked at the same moment: one check serves both.
            }
        }
    }

    /// <summary>The registered Node's uid (the Lease's owner).</summary>
    public string? NodeUid { get; private set; }

    /// <summary>Creates the Node (or adopts the existing one after a restart) and writes its first status.</summary>
    public async Task RegisterAsync(CancellationToken cancellationToken)
    {
        var machine = _machine();
        V1Node node;
        try
        {
            node = await _client.CoreV1.CreateNodeAsync(NodeStatusBuilder.NewNode(_identity, machine, _options.NodeLabels), cancellationToken: cancellationToken).ConfigureAwait(false);
            LogRegistered(_logger, _identity.NodeName);
        }
        catch (Exception e) when (ApiErrors.IsAlreadyExists(e))
        {
            node = await _client.CoreV1.ReadNodeAsync(_identity.NodeName, cancellationToken: cancellationToken).ConfigureAwait(false);
            LogAdopted(_logger, _identity.NodeName);
        }

        NodeUid = node.Metadata.Uid;
        await UpdateStatusAsync(node, force: true, cancellationToken).ConfigureAwait(false);
    }

    public void Start() => _loop ??= LoopAsync(_stop.Token);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
        _wake.Dispose();
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.StatusUpdateFrequency, _options.Time);
        while (true)
        {
            await WaitForTickOrWakeAsync(timer, cancellationToken).ConfigureAwait(false);
            try
            {
                var node = await _client.CoreV1.ReadNodeAsync(_identity.NodeName, cancellationToken: cancellationToken).ConfigureAwait(false);
                await UpdateStatusAsync(node, force: false, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (ApiErrors.IsNotFound(e))
            {
                // Someone deleted the Node (kubectl delete node): register again, as kubelet does after a restart.
                await IgnoreFailureAsync(() => RegisterAsync(cancellationToken)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogStatusFailed(_logger, _identity.NodeName, e);
            }
        }
    }

    private async Task WaitForTickOrWakeAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tick = timer.WaitForNextTickAsync(either.Token).AsTask();
        var wake = _wake.WaitAsync(either.Token);
        await Task.WhenAny(tick, wake).ConfigureAwait(false);
        await either.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(tick, wake).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private async Task UpdateStatusAsync(V1Node node, bool force, CancellationToken cancellationToken)
    {
        var now = _options.Time.GetUtcNow().UtcDateTime;
        var pressure = Pressure?.Invoke() ?? new HashSet<string>();
        node = await SyncTaintsAsync(node, pressure, cancellationToken).ConfigureAwait(false);
        var status = NodeStatusBuilder.Build(_identity, _machine(), node.Status?.Conditions, now, NotReady?.Invoke(), pressure, _options.Eviction.Hard);
        if (!force && !NodeStatusBuilder.NeedsReport(node.Status, status, now, _options.StatusReportFrequency))
        {
            return;
        }

        // Replace with the resourceVersion just read: a 409 means someone wrote meanwhile; the next tick re-reads.
        var before = node.Status?.Conditions;
        node.Status = MergeForeign(node.Status, status);
        var written = await _client.CoreV1.ReplaceNodeStatusAsync(node, _identity.NodeName, cancellationToken: cancellationToken).ConfigureAwait(false);
        _reported = written.Status;
        foreach (var reason in NodeStatusEvents.Changed(before, status.Conditions))
        {
            NodeEvent?.Invoke(reason, $"Node {_identity.NodeName} status is now: {reason}");
        }
    }

    /// <summary>
    /// Puts the NoSchedule taint of each pressure condition on the node while it holds and takes it off after, leaving
    /// every other taint alone (upstream's node lifecycle controller does this from the conditions; here the node does it).
    /// </summary>
    private async Task<V1Node> SyncTaintsAsync(V1Node node, IReadOnlySet<string> pressure, CancellationToken cancellationToken)
    {
        var current = node.Spec?.Taints ?? [];
        var desired = PressureTaints.Apply(current, pressure);
        if (desired is null)
        {
            return node;
        }

        node.Spec ??= new V1NodeSpec();
        node.Spec.Taints = desired.Count == 0 ? null : desired;
        var written = await _client.CoreV1.ReplaceNodeAsync(node, _identity.NodeName, cancellationToken: cancellationToken).ConfigureAwait(false);
        LogTaints(_logger, _identity.NodeName, desired.Count);
        return written;
    }

    /// <summary>Keeps what other writers own in the status (conditions of other types, images, volumes).</summary>
    private static V1NodeStatus MergeForeign(V1NodeStatus? existing, V1NodeStatus ours)
    {
        if (existing?.Conditions is { } conditions)
        {
            var mine = ours.Conditions.Select(c => c.Type).ToHashSet(StringComparer.Ordinal);
            ours.Conditions = [.. ours.Conditions, .. conditions.Where(c => !mine.Contains(c.Type))];
        }

        ours.Images ??= existing?.Images;
        ours.VolumesAttached ??= existing?.VolumesAttached;
        ours.VolumesInUse ??= existing?.VolumesInUse;
        return ours;
    }

    private async Task IgnoreFailureAsync(Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStatusFailed(_logger, _identity.NodeName, e);
        }
    }

    /// <summary>The status last written (for tests).</summary>
    public V1NodeStatus? Reported => _reported;

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} pressure taints updated; {Count} taints now")]
    private static partial void LogTaints(ILogger logger, string node, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered node {Node}")]
    private static partial void LogRegistered(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} already registered; adopting it")]
    private static partial void LogAdopted(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Updating the status of node {Node} failed; retrying on the next tick")]
    private static partial void LogStatusFailed(ILogger logger, string node, Exception exception);
}

/// <summary>The pressure taints a node carries for its conditions. Pure.</summary>
public static class PressureTaints
{
    private static readonly HashSet<string> Keys = NodeAgent.Node.Eviction.NodePressure.Conditions.Select(NodeAgent.Node.Eviction.NodePressure.Taint).ToHashSet(StringComparer.Ordinal);

    /// <summary>The node's taints with exactly the pressure taints of <paramref name="pressure"/>; null when nothing changes.</summary>
    public static IList<V1Taint>? Apply(IList<V1Taint> current, IReadOnlySet<string> pressure)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(pressure);
        var wanted = pressure.Select(NodeAgent.Node.Eviction.NodePressure.Taint).ToHashSet(StringComparer.Ordinal);
        var have = current.Where(t => Keys.Contains(t.Key) && t.Effect == "NoSchedule").Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
        if (have.SetEquals(wanted))
        {
            return null;
        }

        var kept = current.Where(t => !(Keys.Contains(t.Key) && t.Effect == "NoSchedule") || wanted.Contains(t.Key)).ToList();
        kept.AddRange(wanted.Except(have).Order(StringComparer.Ordinal).Select(key => new V1Taint { Key = key, Effect = "NoSchedule" }));
        return kept;
    }
}

/// <summary>kubelet's node status setters: the event reason each condition records when its status changes (also from none).</summary>
public static class NodeStatusEvents
{
    public static IEnumerable<string> Changed(IList<V1NodeCondition>? before, IList<V1NodeCondition>? after)
    {
        foreach (var condition in after ?? [])
        {
            var previous = before?.FirstOrDefault(c => c.Type == condition.Type)?.Status;
            if (previous == condition.Status)
            {
                continue;
            }

            var reason = (condition.Type, condition.Status) switch
            {
                ("Ready", "True") => "NodeReady",
                ("Ready", "False") => "NodeNotReady",
                ("MemoryPressure", "True") => "NodeHasInsufficientMemory",
                ("MemoryPressure", "False") => "NodeHasSufficientMemory",
                ("DiskPressure", "True") => "NodeHasDiskPressure",
                ("DiskPressure", "False") => "NodeHasNoDiskPressure",
                ("PIDPressure", "True") => "NodeHasInsufficientPID",
                ("PIDPressure", "False") => "NodeHasSufficientPID",
                _ => null,
            };
            if (reason is not null)
            {
                yield return reason;
            }
        }
    }
}
