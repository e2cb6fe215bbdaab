using System.Text.RegularExpressions;

namespace NodeAgent.Api.Resources.Batch;

/// <summary>IANA time zone names as Go's time.LoadLocation accepts them (from the system tz database).</summary>
public static partial class TimeZones
{
    /// <summary>Go's error text for an unknown zone, or null when the zone exists.</summary>
    public static string? Check(string zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (zone is "UTC" or "")
        {
            return null;
        }

        // Only names of the tz database (no Windows ids, no paths outside it).
        if (!ZoneNameRegex().IsMatch(zone) || zone.Split('/').Any(p => p is "." or ".."))
        {
            return $"unknown time zone {zone}";
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _) ? null : $"unknown time zone {zone}";
    }

    [GeneratedRegex("^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$")]
    private static partial Regex ZoneNameRegex();
}
