namespace NodeAgent.Runtime.Snapshots;

/// <summary>A mount the caller performs (snapshotters return specs, they do not mount): overlay or bind.</summary>
public sealed record MountSpec(string Type, string Source, IReadOnlyList<string> Options);

/// <summary>Disk use of one snapshot.</summary>
public sealed record SnapshotUsage(long Bytes, long Inodes);

/// <summary>
/// Layer snapshots and container rootfs, overlayfs-backed.
/// Vocabulary: a committed <em>layer</em> is keyed by its chain ID (OCI: chainID(n) =
/// sha256(chainID(n-1) + " " + diffID(n))) and is read-only; an <em>active</em> snapshot is keyed by
/// a caller's key (a container id) and is a fresh upper/work dir over a chain of layers.
/// </summary>
public interface ISnapshotter
{
    bool LayerExists(string chainId);

    /// <summary>
    /// Creates layer <paramref name="chainId"/> on top of <paramref name="parentChainId"/>: calls
    /// <paramref name="fill"/> with an empty staging directory, then publishes it atomically.
    /// Concurrent calls for the same chain ID run <paramref name="fill"/> once. The parent must exist
    /// by the time <paramref name="fill"/> returns (so layers of one image can be filled in parallel).
    /// </summary>
    Task CommitLayerAsync(string chainId, string? parentChainId, Func<string, CancellationToken, Task> fill, CancellationToken cancellationToken);

    /// <summary>Prepares a writable rootfs for <paramref name="key"/> over the chain ending at <paramref name="topChainId"/>.</summary>
    Task<IReadOnlyList<MountSpec>> PrepareAsync(string key, string topChainId, CancellationToken cancellationToken);

    /// <summary>The mounts of an existing active snapshot (after a restart, for example).</summary>
    Task<IReadOnlyList<MountSpec>> MountsAsync(string key, CancellationToken cancellationToken);

    /// <summary>Removes an active snapshot; a missing key is not an error.</summary>
    Task RemoveAsync(string key, CancellationToken cancellationToken);

    /// <summary>Removes a layer; fails with <see cref="InvalidOperationException"/> while a child layer or active snapshot uses it.</summary>
    Task RemoveLayerAsync(string chainId, CancellationToken cancellationToken);

    /// <summary>Chain IDs used by active snapshots (so image GC keeps them).</summary>
    Task<IReadOnlySet<string>> LayersInUseAsync(CancellationToken cancellationToken);

    Task<SnapshotUsage> UsageAsync(CancellationToken cancellationToken);

    /// <summary>Disk use of an active snapshot's writable layer (what the container wrote); zero for a missing key.</summary>
    Task<SnapshotUsage> ActiveUsageAsync(string key, CancellationToken cancellationToken);
}
