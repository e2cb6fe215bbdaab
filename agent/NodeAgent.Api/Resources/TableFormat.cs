using System.Globalization;

namespace NodeAgent.Api.Resources;

/// <summary>Cell formatting as kubectl's server-side printers do it.</summary>
public static class TableFormat
{
    /// <summary>Kubernetes' short human duration ("5s", "3m2s", "4h", "12d", "3y45d"), or "&lt;unknown&gt;".</summary>
    public static string Age(DateTime? created, DateTimeOffset now)
    {
        if (created is null)
        {
            return "<unknown>";
        }

        var utc = DateTime.SpecifyKind(created.Value, DateTimeKind.Utc);
        return ShortDuration(now - new DateTimeOffset(utc));
    }

    /// <summary>The duration format of upstream <c>duration.HumanDuration</c>.</summary>
    public static string ShortDuration(TimeSpan d)
    {
        if (d < TimeSpan.FromSeconds(-1))
        {
            return "<invalid>";
        }

        if (d < TimeSpan.Zero)
        {
            return "0s";
        }

        var seconds = (long)d.TotalSeconds;
        if (seconds < 60 * 2)
        {
            return Inv($"{seconds}s");
        }

        var minutes = (long)d.TotalMinutes;
        if (minutes < 10)
        {
            var s = seconds % 60;
            return s == 0 ? Inv($"{minutes}m") : Inv($"{minutes}m{s}s");
        }

        if (minutes < 60 * 3)
        {
            return Inv($"{minutes}m");
        }

        var hours = (long)d.TotalHours;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? Inv($"{hours}h") : Inv($"{hours}h{m}m");
        }

        if (hours < 48)
        {
            return Inv($"{hours}h");
        }

        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? Inv($"{hours / 24}d") : Inv($"{hours / 24}d{h}h");
        }

        if (hours < 24 * 365 * 2)
        {
            return Inv($"{hours / 24}d");
        }

        if (hours < 24 * 365 * 8)
        {
            var dy = hours / 24 % 365;
            return dy == 0 ? Inv($"{hours / 24 / 365}y") : Inv($"{hours / 24 / 365}y{dy}d");
        }

        return Inv($"{hours / 24 / 365}y");
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
