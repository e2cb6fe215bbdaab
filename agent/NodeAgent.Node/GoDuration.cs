using System.Globalization;

namespace NodeAgent.Node;

/// <summary>Durations in kubelet's messages, printed as Go's time.Duration prints them.</summary>
public static class GoDuration
{
    /// <summary>Go's time.Duration text at millisecond precision: "3m0s", "1h2m3.5s", "2.25s", "500ms".</summary>
    public static string Format(TimeSpan duration)
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
