namespace NodeAgent.Node.Pleg;

/// <summary>kubelet's PLEG health rule: unhealthy once the last successful relist is older than the threshold.</summary>
public static class PlegHealth
{
    /// <summary>null when healthy; otherwise kubelet's "PLEG is not healthy: pleg was last seen active 3m2s ago; threshold is 3m0s".</summary>
    public static string? Problem(DateTimeOffset lastRelist, DateTimeOffset now, TimeSpan threshold)
    {
        var elapsed = now - lastRelist;
        return elapsed <= threshold
            ? null
            : $"PLEG is not healthy: pleg was last seen active {GoDuration.Format(elapsed)} ago; threshold is {GoDuration.Format(threshold)}";
    }

    /// <summary>null within the threshold of the start; then kubelet's "PLEG is not healthy: pleg has yet to be successful".</summary>
    public static string? NeverRelisted(DateTimeOffset started, DateTimeOffset now, TimeSpan threshold)
        => now - started <= threshold ? null : "PLEG is not healthy: pleg has yet to be successful";
}
