namespace NodeAgent.Node.Eviction;

/// <summary>What one container uses (CRI ContainerStats: memory working set, writable layer; the size of its log files).</summary>
public sealed record ContainerUsage(string Name, long MemoryWorkingSetBytes, long RootfsBytes, long LogsBytes);

/// <summary>What one pod uses: its containers, and its local volumes (emptyDir) by volume name in bytes.</summary>
public sealed record PodUsage(IReadOnlyList<ContainerUsage> Containers, IReadOnlyDictionary<string, long> VolumeBytes)
{
    public static readonly PodUsage None = new([], new Dictionary<string, long>());

    public long MemoryBytes => Containers.Sum(c => c.MemoryWorkingSetBytes);

    /// <summary>Ephemeral storage as kubelet measures it for nodefs: writable layers, logs and local volumes.</summary>
    public long EphemeralStorageBytes => Containers.Sum(c => c.RootfsBytes + c.LogsBytes) + VolumeBytes.Values.Sum();

    /// <summary>For imagefs only the writable layers count (they live with the images).</summary>
    public long RootfsBytes => Containers.Sum(c => c.RootfsBytes);
}

/// <summary>How a pod is evicted: kubelet's status message, the grace period, and whether it gets the DisruptionTarget condition.</summary>
public sealed record PodEviction(string Message, long GracePeriodSeconds, bool DisruptionTarget)
{
    /// <summary>Pod status reason of an evicted pod (kubelet's eviction.Reason).</summary>
    public const string Reason = "Evicted";

    /// <summary>The DisruptionTarget condition's reason for a kubelet eviction.</summary>
    public const string TerminationByKubelet = "TerminationByKubelet";
}
