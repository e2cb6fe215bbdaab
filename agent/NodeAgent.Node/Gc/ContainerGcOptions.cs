namespace NodeAgent.Node.Gc;

/// <summary>Container garbage collection (kubelet's defaults: every minute, one dead container kept per pod container).</summary>
public sealed record ContainerGcOptions
{
    /// <summary>Time between collections (kubelet: 1 min).</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Dead containers kept per (pod, container name), newest first (kubelet's MaxPerPodContainer: 1).</summary>
    public int MaxPerPodContainer { get; init; } = 1;

    /// <summary>A dead container younger than this is never collected (kubelet's MinAge: 0).</summary>
    public TimeSpan MinAge { get; init; } = TimeSpan.Zero;
}
