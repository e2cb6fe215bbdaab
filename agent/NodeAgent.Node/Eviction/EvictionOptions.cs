namespace NodeAgent.Node.Eviction;

/// <summary>Node-pressure eviction (kubelet's evictionHard, housekeeping interval and evictionPressureTransitionPeriod).</summary>
public sealed record EvictionOptions
{
    /// <summary>Hard thresholds (kubelet's defaults unless --eviction-hard replaces them).</summary>
    public IReadOnlyList<EvictionThreshold> Hard { get; init; } = EvictionThreshold.ParseList(EvictionThreshold.DefaultHard);

    /// <summary>How often the signals are measured (kubelet's housekeeping interval: 10 s).</summary>
    public TimeSpan MonitoringInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a pressure condition stays True after its threshold was last met (kubelet: 5 min).</summary>
    public TimeSpan PressureTransitionPeriod { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Grace period for pods evicted on a hard threshold (kubelet's immediateEvictionGracePeriodSeconds).</summary>
    public long HardEvictionGracePeriodSeconds { get; init; } = 1;
}
