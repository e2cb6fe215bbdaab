namespace NodeAgent.Node.Logs;

/// <summary>Container log rotation (kubelet's containerLogMaxSize, containerLogMaxFiles and containerLogMonitorInterval).</summary>
public sealed record ContainerLogOptions
{
    /// <summary>kubelet's default containerLogMaxSize, 10Mi.</summary>
    public const long DefaultMaxSizeBytes = 10 * 1024 * 1024;

    /// <summary>kubelet's default containerLogMaxFiles.</summary>
    public const int DefaultMaxFiles = 5;

    /// <summary>A log file this large or larger is rotated (--container-log-max-size).</summary>
    public long MaxSizeBytes { get; init; } = DefaultMaxSizeBytes;

    /// <summary>Files kept per container, the current one included; at least 2 (--container-log-max-files).</summary>
    public int MaxFiles { get; init; } = DefaultMaxFiles;

    /// <summary>How often running containers' logs are checked (kubelet's containerLogMonitorInterval: 10 s; tests shorten it).</summary>
    public TimeSpan MonitorPeriod { get; init; } = TimeSpan.FromSeconds(10);
}
