using System.Collections.Concurrent;

namespace NodeAgent.Runtime.Containers.Stats;

/// <summary>
/// usage_nano_cores from two samples of the cumulative CPU counter: the last sample is kept per
/// key (container or sandbox id). The first look at a key compares with zero usage at its start
/// time, so it reports the average since start rather than nothing.
/// </summary>
public sealed class CpuRateTracker
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, ulong Usage)> _last = new(StringComparer.Ordinal);

    public ulong Rate(string key, DateTimeOffset startedAt, DateTimeOffset now, ulong usageNanoseconds)
    {
        var previous = _last.TryGetValue(key, out var last) ? last : (At: startedAt, Usage: 0UL);
        _last[key] = (now, usageNanoseconds);
        var elapsed = (now - previous.At).Ticks * 100.0; // ns
        if (elapsed <= 0 || usageNanoseconds < previous.Usage)
        {
            return 0; // two calls in the same tick, or a counter that restarted
        }

        return (ulong)((usageNanoseconds - previous.Usage) / elapsed * 1e9);
    }

    /// <summary>Drops the samples of keys that no longer exist.</summary>
    public void Retain(IReadOnlySet<string> keys)
    {
        foreach (var key in _last.Keys)
        {
            if (!keys.Contains(key))
            {
                _last.TryRemove(key, out _);
            }
        }
    }
}
