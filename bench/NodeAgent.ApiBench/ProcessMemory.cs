using System.Globalization;

namespace NodeAgent.ApiBench;

/// <summary>Resident memory of a process from /proc/PID/status (VmRSS now, VmHWM the peak).</summary>
internal static class ProcessMemory
{
    public static double RssMb(int pid) => ReadKb(pid, "VmRSS:") / 1024.0;

    public static double PeakMb(int pid) => ReadKb(pid, "VmHWM:") / 1024.0;

    private static long ReadKb(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/status has no {field}");
    }
}
