using Grpc.Core;
using Microsoft.Extensions.Logging;
using NodeAgent.Cri.V1;

namespace NodeAgent.Node.Pleg;

/// <summary>
/// kubelet's generic PLEG: every <see cref="PlegOptions.RelistPeriod"/> it lists all sandboxes and containers on the
/// runtime, compares their states with the previous relist and nudges the worker of each pod whose objects changed,
/// so a container exit is noticed within about a second instead of at the next periodic resync.
/// </summary>
public sealed partial class PodLifecycleEventGenerator(
    RuntimeService.RuntimeServiceClient runtime,
    Action<string> onPodChanged,
    PlegOptions options,
    TimeProvider time,
    ILogger<PodLifecycleEventGenerator> logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private RelistSnapshot _previous = RelistSnapshot.Empty;
    private Task? _loop;
    private long _lastRelistTicks;
    private long _startedTicks;

    /// <summary>The last relist finished within <see cref="PlegOptions.RelistThreshold"/> (kubelet's PLEG health check).</summary>
    public bool Healthy => Interlocked.Read(ref _lastRelistTicks) != 0 && Problem is null;

    /// <summary>
    /// Why the node is not ready on the PLEG's account (kubelet's message), or null. A PLEG that never relisted counts
    /// from its start, so a runtime that never answers is noticed too without flapping NotReady at every start.
    /// </summary>
    public string? Problem
    {
        get
        {
            var last = Interlocked.Read(ref _lastRelistTicks);
            var started = Interlocked.Read(ref _startedTicks);
            return last != 0
                ? PlegHealth.Problem(new DateTimeOffset(last, TimeSpan.Zero), time.GetUtcNow(), options.RelistThreshold)
                : started != 0 ? PlegHealth.NeverRelisted(new DateTimeOffset(started, TimeSpan.Zero), time.GetUtcNow(), options.RelistThreshold) : null;
        }
    }

    public void Start()
    {
        Interlocked.CompareExchange(ref _startedTicks, time.GetUtcNow().UtcTicks, 0);
        _loop ??= RunAsync(_stop.Token);
    }

    /// <summary>One relist: lists the runtime, nudges the changed pods, and returns their uids.</summary>
    public async Task<IReadOnlyList<string>> RelistAsync(CancellationToken cancellationToken)
    {
        var sandboxes = await runtime.ListPodSandboxAsync(new ListPodSandboxRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
        var containers = await runtime.ListContainersAsync(new ListContainersRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
        var current = RelistSnapshot.From(sandboxes.Items, containers.Containers);
        var changed = current.ChangedSince(_previous);
        _previous = current;
        Interlocked.Exchange(ref _lastRelistTicks, time.GetUtcNow().UtcTicks);
        foreach (var uid in changed)
        {
            onPodChanged(uid);
        }

        return changed;
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

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.RelistPeriod, time);
        try
        {
            do
            {
                try
                {
                    await RelistAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
                {
                    // The loop boundary: a runtime hiccup costs one relist; the next one compares against the last good one.
                    LogRelistFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException && cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "PLEG relist failed")]
    private static partial void LogRelistFailed(ILogger logger, Exception exception);
}
