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
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.StatusUpdateFrequency, _options.Time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
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

    private async Task UpdateStatusAsync(V1Node node, bool force, CancellationToken cancellationToken)
    {
        var now = _options.Time.GetUtcNow().UtcDateTime;
        var status = NodeStatusBuilder.Build(_identity, _machine(), node.Status?.Conditions, now, NotReady?.Invoke());
        if (!force && !NodeStatusBuilder.NeedsReport(node.Status, status, now, _options.StatusReportFrequency))
        {
            return;
        }

        // Replace with the resourceVersion just read: a 409 means someone wrote meanwhile; the next tick re-reads.
        node.Status = MergeForeign(node.Status, status);
        var written = await _client.CoreV1.ReplaceNodeStatusAsync(node, _identity.NodeName, cancellationToken: cancellationToken).ConfigureAwait(false);
        _reported = written.Status;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered node {Node}")]
    private static partial void LogRegistered(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} already registered; adopting it")]
    private static partial void LogAdopted(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Updating the status of node {Node} failed; retrying on the next tick")]
    private static partial void LogStatusFailed(ILogger logger, string node, Exception exception);
}
