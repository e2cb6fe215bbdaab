using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using NodeAgent.Controllers.Machinery;

namespace NodeAgent.Node.Api;

/// <summary>
/// The node's heartbeat: a coordination.k8s.io/v1 Lease named after the node in kube-node-lease, owned by the Node,
/// renewed every <c>LeaseRenewInterval</c> (10 s, a quarter of its 40 s duration, as kubelet does).
/// </summary>
public sealed partial class NodeLease : IAsyncDisposable
{
    public const string Namespace = "kube-node-lease";

    private readonly IKubernetes _client;
    private readonly string _nodeName;
    private readonly Func<string?> _nodeUid;
    private readonly NodeRoleOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public NodeLease(IKubernetes client, string nodeName, Func<string?> nodeUid, NodeRoleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _nodeName = nodeName;
        _nodeUid = nodeUid;
        _options = options;
        _logger = options.LoggerFactory.CreateLogger<NodeLease>();
    }

    /// <summary>When the lease was last renewed (for tests and the node's health).</summary>
    public DateTime? LastRenewed { get; private set; }

    /// <summary>The Lease as kubelet writes it.</summary>
    public static V1Lease Build(string nodeName, string? nodeUid, int durationSeconds, DateTime now) => new()
    {
        ApiVersion = "coordination.k8s.io/v1",
        Kind = "Lease",
        Metadata = new V1ObjectMeta
        {
            Name = nodeName,
            NamespaceProperty = Namespace,
            OwnerReferences = nodeUid is null ? null : [new V1OwnerReference { ApiVersion = "v1", Kind = "Node", Name = nodeName, Uid = nodeUid }],
        },
        Spec = new V1LeaseSpec { HolderIdentity = nodeName, LeaseDurationSeconds = durationSeconds, RenewTime = now },
    };

    /// <summary>Renews once now (so the node is live as soon as it starts), then every interval.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await RenewAsync(cancellationToken).ConfigureAwait(false);
        _loop ??= LoopAsync(_stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    public async Task RenewAsync(CancellationToken cancellationToken)
    {
        var now = _options.Time.GetUtcNow().UtcDateTime;
        V1Lease lease;
        try
        {
            lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(_nodeName, Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            await CreateAsync(now, cancellationToken).ConfigureAwait(false);
            return;
        }

        lease.Spec ??= new V1LeaseSpec();
        lease.Spec.HolderIdentity = _nodeName;
        lease.Spec.LeaseDurationSeconds = _options.LeaseDurationSeconds;
        lease.Spec.RenewTime = now;
        if (lease.Metadata.OwnerReferences is null or { Count: 0 } && _nodeUid() is { } uid)
        {
            lease.Metadata.OwnerReferences = Build(_nodeName, uid, _options.LeaseDurationSeconds, now).Metadata.OwnerReferences;
        }

        // Optimistic concurrency on the resourceVersion just read; a conflict is retried on the next tick.
        await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _nodeName, Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        LastRenewed = now;
    }

    private async Task CreateAsync(DateTime now, CancellationToken cancellationToken)
    {
        try
        {
            await _client.CoordinationV1.CreateNamespacedLeaseAsync(Build(_nodeName, _nodeUid(), _options.LeaseDurationSeconds, now), Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            // The namespace itself is missing (a fresh store without system namespaces): create it, then the lease.
            await CreateNamespaceAsync(cancellationToken).ConfigureAwait(false);
            await _client.CoordinationV1.CreateNamespacedLeaseAsync(Build(_nodeName, _nodeUid(), _options.LeaseDurationSeconds, now), Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        LastRenewed = now;
    }

    private async Task CreateNamespaceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = Namespace } }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsAlreadyExists(e))
        {
            // Created meanwhile.
        }
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.LeaseRenewInterval, _options.Time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await RenewAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRenewFailed(_logger, _nodeName, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the lease of node {Node} failed; retrying on the next tick")]
    private static partial void LogRenewFailed(ILogger logger, string node, Exception exception);
}
