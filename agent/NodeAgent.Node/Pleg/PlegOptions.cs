namespace NodeAgent.Node.Pleg;

/// <summary>How the pod lifecycle event generator relists (kubelet's generic PLEG defaults).</summary>
public sealed record PlegOptions
{
    /// <summary>Time between relists (kubelet: 1 s).</summary>
    public TimeSpan RelistPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A relist older than this makes the PLEG unhealthy (kubelet: 3 min).</summary>
    public TimeSpan RelistThreshold { get; init; } = TimeSpan.FromMinutes(3);
}
