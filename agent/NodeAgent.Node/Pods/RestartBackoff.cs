using System.Collections.Concurrent;

namespace NodeAgent.Node.Pods;

/// <summary>
/// CrashLoopBackOff: the first restart is immediate, then 10 s doubling to 5 min between restarts; a container that
/// ran 10 minutes (or no restart for 10 minutes) starts over. Keyed by pod uid + container name. Also used for image pulls.
/// </summary>
public sealed class RestartBackoff(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public TimeSpan Initial { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Max { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan ResetAfter { get; init; } = TimeSpan.FromMinutes(10);

    public static string Key(string podUid, string containerName) => podUid + "/" + containerName;

    /// <summary>Remaining wait before <paramref name="key"/> may restart, measured from when it last finished; zero when it may restart now.</summary>
    public TimeSpan Remaining(string key, DateTimeOffset finishedAt)
    {
        if (!_entries.TryGetValue(key, out var entry) || Expired(entry))
        {
            return TimeSpan.Zero;
        }

        var wait = finishedAt + entry.Delay - time.GetUtcNow();
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    /// <summary>The current delay (what "back-off 20s" in the message shows).</summary>
    public TimeSpan Delay(string key) => _entries.TryGetValue(key, out var e) && !Expired(e) ? e.Delay : TimeSpan.Zero;

    /// <summary>Records a restart: the next one waits twice as long (capped), or starts over after a long quiet period.</summary>
    public void Next(string key, TimeSpan? ranFor = null)
    {
        var now = time.GetUtcNow();
        _entries.AddOrUpdate(
            key,
            _ => new Entry(Initial, now),
            (_, e) => Expired(e) || ranFor >= ResetAfter ? new Entry(Initial, now) : new Entry(TimeSpan.FromTicks(Math.Min(e.Delay.Ticks * 2, Max.Ticks)), now));
    }

    public void Reset(string key) => _entries.TryRemove(key, out _);

    public void ForgetPod(string podUid)
    {
        foreach (var key in _entries.Keys.Where(k => k.StartsWith(podUid + "/", StringComparison.Ordinal)))
        {
            _entries.TryRemove(key, out _);
        }
    }

    private bool Expired(Entry entry) => time.GetUtcNow() - entry.LastRestart > ResetAfter;

    private sealed record Entry(TimeSpan Delay, DateTimeOffset LastRestart);
}
