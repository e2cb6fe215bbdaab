using System.Globalization;

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
            : $"PLEG is not healthy: pleg was last seen active {GoDuration(elapsed)} ago; threshold is {GoDuration(threshold)}";
    }

    /// <summary>null within the threshold of the start; then kubelet's "PLEG is not healthy: pleg has yet to be successful".</summary>
    public static string? NeverRelisted(DateTimeOffset started, DateTimeOffset now, TimeSpan threshold)
        => now - started <= threshold ? null : "PLEG is not healthy: pleg has yet to be successful";

    /// <summary>Go's time.Duration text at millisecond precision: "3m0s", "1h2m3.5s", "2.25s", "500ms".</summary>
    public static string GoDuration(TimeSpan duration)
    {
        var ms = (long)Math.Round(duration.TotalMilliseconds);
        if (ms < 1000)
        {
            return ms.ToString(CultureInfo.InvariantCulture) + "ms";
        }

        var hours = ms / 3_600_000;
        var minutes = ms / 60_000 % 60;
        var seconds = (ms % 60_000) / 1000m;
        var text = seconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        if (hours > 0)
        {
            return $"{hours}h{minutes}m{text}";
        }

        return minutes > 0 ? $"{minutes}m{text}" : text;
    }
}
