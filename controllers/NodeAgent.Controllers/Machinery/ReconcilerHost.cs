using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace NodeAgent.Controllers.Machinery;

/// <summary>Hooks for reconcile metrics (controller-runtime's controller_runtime_reconcile_total/_time_seconds and workqueue_* gauges).</summary>
public interface IReconcileMetrics
{
    /// <param name="result">success, requeue, requeue_after, error or terminal_error.</param>
    void ReconcileCompleted(string controller, string result, TimeSpan duration);
}

public sealed record ReconcilerHostOptions
{
    /// <summary>Name in logs and metrics ("scheduler", "node-pod-status" …).</summary>
    public required string Name { get; init; }

    public int Workers { get; init; } = 1;

    public IRateLimiter<ObjectKey>? RateLimiter { get; init; }

    public IReconcileMetrics? Metrics { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// Runs an <see cref="IReconciler"/> from a rate-limited work queue of keys: workers never share a key, an exception is a
/// rate-limited retry, a <see cref="TerminalReconcileException"/> is logged and forgotten, <c>RequeueAfter</c> is a plain
/// delayed add. Every reconcile gets an id in the log scope.
/// </summary>
public sealed partial class ReconcilerHost : IAsyncDisposable
{
    private readonly IReconciler _reconciler;
    private readonly ReconcilerHostOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers = [];
    private long _reconcileIds;

    public ReconcilerHost(IReconciler reconciler, ReconcilerHostOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _reconciler = reconciler;
        _options = options;
        _logger = logger;
        Queue = new RateLimitingWorkQueue<ObjectKey>(options.RateLimiter ?? RateLimiters.DefaultController<ObjectKey>(options.Time), options.Time);
    }

    public RateLimitingWorkQueue<ObjectKey> Queue { get; }

    public void Enqueue(ObjectKey key) => Queue.Add(key);

    public void Start()
    {
        if (_workers.Count > 0)
        {
            return;
        }

        for (var i = 0; i < _options.Workers; i++)
        {
            _workers.Add(Task.Run(() => WorkAsync(_stop.Token)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        Queue.ShutDown();
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_workers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Queue.Dispose();
        _stop.Dispose();
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var (ok, key) = await Queue.GetAsync(cancellationToken).ConfigureAwait(false);
            if (!ok)
            {
                return;
            }

            try
            {
                await ProcessAsync(key, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Queue.Done(key);
            }
        }
    }

    /// <summary>One reconcile of one key; the loop boundary, so it catches everything.</summary>
    private async Task ProcessAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _reconcileIds);
        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["Controller"] = _options.Name, ["Key"] = key.ToString(), ["ReconcileId"] = id });
        var started = Stopwatch.GetTimestamp();
        string outcome;
        try
        {
            var result = await _reconciler.ReconcileAsync(key, cancellationToken).ConfigureAwait(false);
            if (result.RequeueAfter is { } after)
            {
                Queue.Forget(key);
                Queue.AddAfter(key, after);
                outcome = "requeue_after";
            }
            else if (result.Requeue)
            {
                Queue.AddRateLimited(key);
                outcome = "requeue";
            }
            else
            {
                Queue.Forget(key);
                outcome = "success";
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (TerminalReconcileException e)
        {
            Queue.Forget(key);
            LogTerminal(_logger, _options.Name, key.ToString(), e);
            outcome = "terminal_error";
        }
        catch (Exception e)
        {
            Queue.AddRateLimited(key);
            LogFailed(_logger, _options.Name, key.ToString(), Queue.NumRequeues(key), e);
            outcome = "error";
        }

        _options.Metrics?.ReconcileCompleted(_options.Name, outcome, Stopwatch.GetElapsedTime(started));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Controller}: reconcile of {Key} failed (retry {Retries})")]
    private static partial void LogFailed(ILogger logger, string controller, string key, int retries, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Controller}: reconcile of {Key} failed terminally; not retrying")]
    private static partial void LogTerminal(ILogger logger, string controller, string key, Exception exception);
}
