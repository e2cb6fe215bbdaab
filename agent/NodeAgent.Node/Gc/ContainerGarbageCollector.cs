using Grpc.Core;
using Microsoft.Extensions.Logging;
using NodeAgent.Cri.V1;

namespace NodeAgent.Node.Gc;

/// <summary>
/// Runs <see cref="ContainerGcPolicy"/> against the runtime every <see cref="ContainerGcOptions.Period"/>, the first
/// time at once (so pods deleted from the API while the agent was down are cleaned up at start): orphaned pods are
/// terminated through <c>terminateOrphan</c> (stop, remove containers, sandbox, volumes, logs), dead containers and
/// sandboxes of live pods are removed. Start it only once the pod informer has synced, or every pod looks orphaned.
/// </summary>
public sealed partial class ContainerGarbageCollector(
    RuntimeService.RuntimeServiceClient runtime,
    Func<string, bool> podIsActive,
    Func<OrphanPod, CancellationToken, Task> terminateOrphan,
    ContainerGcOptions options,
    TimeProvider time,
    ILogger<ContainerGarbageCollector> logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public void Start() => _loop ??= RunAsync(_stop.Token);

    /// <summary>
    /// One collection; returns what it decided (objects already gone count as removed). <paramref name="removeAllDead"/>
    /// drops every dead container regardless of MaxPerPodContainer (kubelet's DeleteAllUnusedContainers under disk pressure).
    /// </summary>
    public async Task<ContainerGcPlan> CollectAsync(CancellationToken cancellationToken, bool removeAllDead = false)
    {
        var sandboxes = (await runtime.ListPodSandboxAsync(new ListPodSandboxRequest(), cancellationToken: cancellationToken).ConfigureAwait(false)).Items;
        var containers = (await runtime.ListContainersAsync(new ListContainersRequest(), cancellationToken: cancellationToken).ConfigureAwait(false)).Containers;
        var plan = ContainerGcPolicy.Plan(sandboxes, containers, podIsActive, removeAllDead ? options with { MaxPerPodContainer = 0, MinAge = TimeSpan.Zero } : options, time.GetUtcNow());
        foreach (var orphan in plan.OrphanPods)
        {
            LogOrphan(logger, orphan.Namespace, orphan.Name, orphan.Uid);
            await terminateOrphan(orphan, cancellationToken).ConfigureAwait(false);
        }

        foreach (var id in plan.Containers)
        {
            LogRemoveContainer(logger, id);
            await IgnoreNotFoundAsync(() => runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = id }, cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
        }

        foreach (var id in plan.Sandboxes)
        {
            LogRemoveSandbox(logger, id);
            await IgnoreNotFoundAsync(() => runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = id }, cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
        }

        return plan;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    internal static async Task IgnoreNotFoundAsync(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            // Already gone is what a collection wants.
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(options.Period, time);
        try
        {
            do
            {
                try
                {
                    await CollectAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    // The loop boundary: log; the next period tries again with a fresh listing.
                    LogFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException && cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {Namespace}/{Name} ({Uid}) is gone from the API; stopping and removing what the runtime still has of it")]
    private static partial void LogOrphan(ILogger logger, string @namespace, string name, string uid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Garbage collecting dead container {ContainerId}")]
    private static partial void LogRemoveContainer(ILogger logger, string containerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Garbage collecting dead sandbox {SandboxId}")]
    private static partial void LogRemoveSandbox(ILogger logger, string sandboxId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Container garbage collection failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
