namespace NodeAgent.Controllers.Machinery;

/// <summary>How long an item waits before its next retry (client-go's workqueue.RateLimiter).</summary>
public interface IRateLimiter<in TItem>
{
    /// <summary>The delay for the next retry of <paramref name="item"/>; each call counts as one failure.</summary>
    TimeSpan NextDelay(TItem item);

    /// <summary>The item succeeded: its failure count starts over.</summary>
    void Forget(TItem item);

    int NumRequeues(TItem item);
}

/// <summary>Per-item exponential backoff: base × 2^failures, capped (client-go: 5 ms to 1000 s).</summary>
public sealed class ItemExponentialFailureRateLimiter<TItem>(TimeSpan baseDelay, TimeSpan maxDelay) : IRateLimiter<TItem>
    where TItem : notnull
{
    private readonly Dictionary<TItem, int> _failures = [];
    private readonly Lock _lock = new();

    public TimeSpan NextDelay(TItem item)
    {
        int failures;
        lock (_lock)
        {
            _failures.TryGetValue(item, out failures);
            _failures[item] = failures + 1;
        }

        // 2^failures overflows long before the cap matters; clamp the exponent.
        var ticks = baseDelay.Ticks * Math.Pow(2, Math.Min(failures, 62));
        return ticks >= maxDelay.Ticks ? maxDelay : TimeSpan.FromTicks((long)ticks);
    }

    public void Forget(TItem item)
    {
        lock (_lock)
        {
            _failures.Remove(item);
        }
    }

    public int NumRequeues(TItem item)
    {
        lock (_lock)
        {
            return _failures.GetValueOrDefault(item);
        }
    }
}

/// <summary>An overall token bucket (client-go: 10 qps, burst 100) so a failing mass of keys cannot hot-loop the API.</summary>
public sealed class BucketRateLimiter<TItem>(double queriesPerSecond, int burst, TimeProvider time) : IRateLimiter<TItem>
{
    private readonly Lock _lock = new();
    private double _tokens = burst;
    private long _last = time.GetTimestamp();

    /// <summary>Reserves a token: zero while the bucket has one, otherwise how long until it refills.</summary>
    public TimeSpan NextDelay(TItem item)
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            _tokens = Math.Min(burst, _tokens + (time.GetElapsedTime(_last, now).TotalSeconds * queriesPerSecond));
            _last = now;
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / queriesPerSecond);
        }
    }

    public void Forget(TItem item)
    {
    }

    public int NumRequeues(TItem item) => 0;
}

/// <summary>The longest delay of several limiters (client-go's MaxOfRateLimiter).</summary>
public sealed class MaxOfRateLimiter<TItem>(params IRateLimiter<TItem>[] limiters) : IRateLimiter<TItem>
{
    public TimeSpan NextDelay(TItem item)
    {
        var longest = TimeSpan.Zero;
        foreach (var limiter in limiters)
        {
            var delay = limiter.NextDelay(item);
            longest = delay > longest ? delay : longest;
        }

        return longest;
    }

    public void Forget(TItem item)
    {
        foreach (var limiter in limiters)
        {
            limiter.Forget(item);
        }
    }

    public int NumRequeues(TItem item) => limiters.Max(l => l.NumRequeues(item));
}

public static class RateLimiters
{
    /// <summary>client-go's DefaultControllerRateLimiter: per-item 5 ms doubling to 1000 s, overall 10 qps with a burst of 100.</summary>
    public static IRateLimiter<TItem> DefaultController<TItem>(TimeProvider time)
        where TItem : notnull
        => new MaxOfRateLimiter<TItem>(
            new ItemExponentialFailureRateLimiter<TItem>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000)),
            new BucketRateLimiter<TItem>(10, 100, time));
}
