namespace NodeAgent.Storage;

/// <summary>Tuning for a store; the defaults suit the API server.</summary>
public sealed record StorageOptions
{
    public static StorageOptions Default { get; } = new();

    /// <summary>How long a watch may stay idle before it yields a progress batch (SQLite; etcd sends them at its
    /// own <c>--experimental-watch-progress-notify-interval</c>).</summary>
    public TimeSpan WatchProgressInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How many recent events the SQLite watch cache keeps in memory; older starts read the database.</summary>
    public int WatchCacheCapacity { get; init; } = 10_000;

    /// <summary>How often SQLite looks for rows written by another process (writes of this process wake it at once).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long opening a store may take to reach its backend.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(WatchProgressInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(WatchCacheCapacity, 16);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero);
    }
}
