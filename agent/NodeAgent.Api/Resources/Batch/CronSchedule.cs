using System.Globalization;
using System.Text.RegularExpressions;

namespace NodeAgent.Api.Resources.Batch;

/// <summary>
/// Checks a CronJob schedule the way upstream's parser (robfig/cron v3 ParseStandard) does: five fields
/// (minute hour day-of-month month day-of-week) with lists, ranges, steps, '*' and '?', month and weekday
/// names, or a descriptor (@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every
/// DURATION). Returns the parser's error text, or null when the schedule is valid.
/// </summary>
public static partial class CronSchedule
{
    private static readonly string[] Descriptors = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

    private static readonly Dictionary<string, int> MonthNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["jan"] = 1, ["feb"] = 2, ["mar"] = 3, ["apr"] = 4, ["may"] = 5, ["jun"] = 6,
        ["jul"] = 7, ["aug"] = 8, ["sep"] = 9, ["oct"] = 10, ["nov"] = 11, ["dec"] = 12,
    };

    private static readonly Dictionary<string, int> DayNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sun"] = 0, ["mon"] = 1, ["tue"] = 2, ["wed"] = 3, ["thu"] = 4, ["fri"] = 5, ["sat"] = 6,
    };

    private static readonly (int Min, int Max, Dictionary<string, int>? Names)[] Bounds =
    [
        (0, 59, null), (0, 23, null), (1, 31, null), (1, 12, MonthNames), (0, 6, DayNames),
    ];

    public static string? Check(string schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (schedule.Length == 0)
        {
            return "empty spec string";
        }

        var spec = schedule;
        if (spec.StartsWith("TZ=", StringComparison.Ordinal) || spec.StartsWith("CRON_TZ=", StringComparison.Ordinal))
        {
            var space = spec.IndexOf(' ', StringComparison.Ordinal);
            var eq = spec.IndexOf('=', StringComparison.Ordinal);
            var zone = space < 0 ? spec[(eq + 1)..] : spec[(eq + 1)..space];
            if (TimeZones.Check(zone) is { } zoneError)
            {
                return $"provided bad location {zone}: {zoneError}";
            }

            spec = space < 0 ? "" : spec[space..].Trim();
        }

        if (spec.StartsWith('@'))
        {
            return Descriptor(spec);
        }

        var fields = spec.Split([' ', '\t', '\n', '\r', '\v', '\f'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            return $"expected exactly 5 fields, found {fields.Length}: [{string.Join(' ', fields)}]";
        }

        for (var i = 0; i < 5; i++)
        {
            foreach (var expr in fields[i].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (Range(expr, Bounds[i]) is { } error)
                {
                    return error;
                }
            }
        }

        return null;
    }

    private static string? Descriptor(string spec)
    {
        if (Descriptors.Contains(spec, StringComparer.Ordinal))
        {
            return null;
        }

        const string every = "@every ";
        if (spec.StartsWith(every, StringComparison.Ordinal))
        {
            var duration = spec[every.Length..];
            return GoDurationRegex().IsMatch(duration) ? null : $"failed to parse duration {spec}: time: invalid duration \"{duration}\"";
        }

        return $"unrecognized descriptor: {spec}";
    }

    private static string? Range(string expr, (int Min, int Max, Dictionary<string, int>? Names) bounds)
    {
        var rangeAndStep = expr.Split('/');
        var lowAndHigh = rangeAndStep[0].Split('-');
        int start, end;
        if (lowAndHigh[0] is "*" or "?")
        {
            start = bounds.Min;
            end = bounds.Max;
        }
        else
        {
            if (IntOrName(lowAndHigh[0], bounds.Names, out start) is { } startError)
            {
                return startError;
            }

            switch (lowAndHigh.Length)
            {
                case 1:
                    end = start;
                    break;
                case 2:
                    if (IntOrName(lowAndHigh[1], bounds.Names, out end) is { } endError)
                    {
                        return endError;
                    }

                    break;
                default:
                    return $"too many hyphens: {expr}";
            }
        }

        var step = 1;
        switch (rangeAndStep.Length)
        {
            case 1:
                break;
            case 2:
                if (Int(rangeAndStep[1], out step) is { } stepError)
                {
                    return stepError;
                }

                // "N/step" means "N-max/step".
                if (lowAndHigh.Length == 1)
                {
                    end = bounds.Max;
                }

                break;
            default:
                return $"too many slashes: {expr}";
        }

        if (start < bounds.Min)
        {
            return $"beginning of range ({start}) below minimum ({bounds.Min}): {expr}";
        }

        if (end > bounds.Max)
        {
            return $"end of range ({end}) above maximum ({bounds.Max}): {expr}";
        }

        if (start > end)
        {
            return $"beginning of range ({start}) beyond end of range ({end}): {expr}";
        }

        return step == 0 ? $"step of range should be a positive number: {expr}" : null;
    }

    private static string? IntOrName(string text, Dictionary<string, int>? names, out int value)
    {
        if (names is not null && names.TryGetValue(text, out value))
        {
            return null;
        }

        return Int(text, out value);
    }

    /// <summary>Go's strconv.Atoi plus the parser's "negative number" rule, with their messages.</summary>
    private static string? Int(string text, out int value)
    {
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            return $"failed to parse int from {text}: strconv.Atoi: parsing \"{text}\": invalid syntax";
        }

        return value < 0 ? $"negative number ({value}) not allowed: {text}" : null;
    }

    [GeneratedRegex(@"^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$|^0$")]
    private static partial Regex GoDurationRegex();
}
