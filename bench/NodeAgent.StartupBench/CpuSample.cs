using System.Globalization;

namespace NodeAgent.StartupBench;

/// <summary>
/// CPU used between two samples: by one process (utime + stime from /proc/PID/stat) and by the whole machine
/// (non-idle jiffies from /proc/stat), so a phase shows whether it was CPU-bound and how much of that was the server.
/// </summary>
internal sealed record CpuSample(double ProcessMs, double BusyMs, double TotalMs)
{
    private const double MsPerTick = 10; // USER_HZ is 100 on Linux.

    public static CpuSample Take(int pid)
    {
        // Fields after "(comm)": state is field 3, utime 14, stime 15 (1-based).
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var process = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * MsPerTick;
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var idle = cpu[3] + cpu[4];
        var total = cpu.Take(8).Sum();
        return new CpuSample(process, (total - idle) * MsPerTick, total * MsPerTick);
    }

    /// <summary>Server CPU ms per pod and the machine's busy share (%) since <paramref name="before"/>.</summary>
    public (double ServerMsPerPod, double MachineBusyPercent) Since(CpuSample before, int pods)
        => ((ProcessMs - before.ProcessMs) / pods, 100 * (BusyMs - before.BusyMs) / Math.Max(1, TotalMs - before.TotalMs));
}
