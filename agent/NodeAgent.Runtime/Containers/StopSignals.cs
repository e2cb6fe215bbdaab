using System.Globalization;

namespace NodeAgent.Runtime.Containers;

/// <summary>An image's StopSignal ("SIGQUIT", "QUIT", "3") as a number; SIGTERM when unset or unknown.</summary>
public static class StopSignals
{
    private static readonly Dictionary<string, int> Numbers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["KILL"] = 9, ["USR1"] = 10, ["USR2"] = 12, ["TERM"] = 15, ["WINCH"] = 28, ["PWR"] = 30, ["STOP"] = 19,
    };

    public static int Parse(string? signal)
    {
        if (string.IsNullOrWhiteSpace(signal))
        {
            return 15;
        }

        if (int.TryParse(signal, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number is > 0 and < 65)
        {
            return number;
        }

        var name = signal.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? signal[3..] : signal;
        return Numbers.GetValueOrDefault(name, 15);
    }
}
