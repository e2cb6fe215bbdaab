using Microsoft.Extensions.Logging;
using NodeAgent.Cri.V1;

namespace NodeAgent.Node.Api;

/// <summary>
/// kubelet's runtime state: the CRI Status RPC every <see cref="Interval"/> (kubelet: 5 s). A runtime not answering for
/// <see cref="Threshold"/> (kubelet's maxWaitForContainerRuntime, 30 s) is "container runtime is down"; RuntimeReady or
/// NetworkReady false turns Ready False with the condition as kubelet prints it.
/// </summary>
public sealed partial class RuntimeHealth(RuntimeService.RuntimeServiceClient runtime, TimeProvider time, ILogger<RuntimeHealth> logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private DateTimeOffset? _lastSync;
    private volatile string? _runtimeError;
    private volatile string? _networkError;
    private Task? _loop;

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan Threshold { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>One Status call; a failed call leaves the last good state (and the time of the last success) as it was.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var status = await runtime.StatusAsync(new StatusRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
        var (runtimeError, networkError) = RuntimeReadiness.Errors(status.Status);
        _runtimeError = runtimeError;
        _networkError = networkError;
        if (runtimeError is null)
        {
            lock (_stop)
            {
                _lastSync = time.GetUtcNow();
            }
        }
    }

    /// <summary>kubelet's runtimeErrors then networkErrors, with the node's other health checks (PLEG) in between.</summary>
    public IReadOnlyList<string> Errors(params string?[] healthChecks)
    {
        ArgumentNullException.ThrowIfNull(healthChecks);
        DateTimeOffset? last;
        lock (_stop)
        {
            last = _lastSync;
        }

        return RuntimeReadiness.Combine(last, time.GetUtcNow(), Threshold, healthChecks, _runtimeError, _networkError);
    }

    public void Start() => _loop ??= RunAsync(_stop.Token);

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
        await Task.Yield();
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await CheckAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    // The loop boundary: the runtime counts as down once Threshold passes without an answer.
                    LogStatusFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Container runtime status check failed")]
    private static partial void LogStatusFailed(ILogger logger, Exception exception);
}

/// <summary>kubelet's Ready reasons from the runtime, as pure functions.</summary>
public static class RuntimeReadiness
{
    /// <summary>
    /// The runtime's and the network's error from a CRI RuntimeStatus: "container runtime not ready: RuntimeReady=false
    /// reason:X message:Y", "container runtime network not ready: NetworkReady=false reason:X message:Y"; a missing
    /// condition counts as not ready and prints as Go prints a nil condition, as in kubelet.
    /// </summary>
    public static (string? Runtime, string? Network) Errors(RuntimeStatus? status)
    {
        var runtimeReady = status?.Conditions.FirstOrDefault(c => c.Type == "RuntimeReady");
        var networkReady = status?.Conditions.FirstOrDefault(c => c.Type == "NetworkReady");
        string? runtimeError = status is null ? "container runtime status check may not have completed yet"
            : runtimeReady is not { Status: true } ? "container runtime not ready: " + Text("RuntimeReady", runtimeReady)
            : null;
        string? networkError = networkReady is { Status: true } ? null : "container runtime network not ready: " + Text("NetworkReady", networkReady);
        return (runtimeError, status is null ? null : networkError);
    }

    /// <summary>
    /// The Ready errors in kubelet's order: the base runtime sync ("may not have completed yet" / "is down"), health
    /// checks, the runtime's error, then the network's. Empty when Ready.
    /// </summary>
    public static IReadOnlyList<string> Combine(DateTimeOffset? lastSync, DateTimeOffset now, TimeSpan threshold, IEnumerable<string?> healthChecks, string? runtimeError, string? networkError)
    {
        ArgumentNullException.ThrowIfNull(healthChecks);
        var errors = new List<string>();
        if (lastSync is null)
        {
            errors.Add("container runtime status check may not have completed yet");
        }
        else if (lastSync.Value + threshold <= now)
        {
            errors.Add("container runtime is down");
        }

        errors.AddRange(healthChecks.OfType<string>());
        if (runtimeError is not null)
        {
            errors.Add(runtimeError);
        }

        if (networkError is not null)
        {
            errors.Add(networkError);
        }

        return errors.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The Ready message for several errors as Kubernetes' aggregate error prints it: one as is, more as "[a, b]".</summary>
    public static string? Message(IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return errors.Count switch
        {
            0 => null,
            1 => errors[0],
            _ => "[" + string.Join(", ", errors) + "]",
        };
    }

    private static string Text(string type, RuntimeCondition? condition)
        => condition is null ? "<nil>" : $"{type}={(condition.Status ? "true" : "false")} reason:{condition.Reason} message:{condition.Message}";
}
