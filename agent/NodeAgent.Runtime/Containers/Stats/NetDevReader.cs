using System.Globalization;

namespace NodeAgent.Runtime.Containers.Stats;

/// <summary>Counters of one network interface.</summary>
public sealed record InterfaceCounters(string Name, ulong RxBytes, ulong RxErrors, ulong TxBytes, ulong TxErrors);

/// <summary>
/// Interface counters of a network namespace from /proc/&lt;pid&gt;/net/dev of a process inside it
/// (the infra process): procfs shows the reader the netns of that pid, so no setns is needed.
/// </summary>
public static class NetDevReader
{
    /// <summary>The interfaces of <paramref name="pid"/>'s netns, or null when the process is gone.</summary>
    public static IReadOnlyList<InterfaceCounters>? ReadForProcess(int pid, string procRoot = "/proc")
    {
        try
        {
            return Parse(File.ReadAllText(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "net", "dev")));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Parses net/dev: two header lines, then "name: rx bytes packets errs drop fifo frame compressed
    /// multicast | tx bytes packets errs …".
    /// </summary>
    public static IReadOnlyList<InterfaceCounters> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var interfaces = new List<InterfaceCounters>();
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var fields = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 11 || !fields.All(f => ulong.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                continue; // the header lines ("face |bytes …")
            }

            ulong Field(int i) => ulong.Parse(fields[i], NumberStyles.None, CultureInfo.InvariantCulture);
            interfaces.Add(new InterfaceCounters(line[..colon].Trim(), Field(0), Field(2), Field(8), Field(10)));
        }

        return interfaces;
    }
}
