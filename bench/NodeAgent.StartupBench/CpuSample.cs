using System.Globalization;

namespace NodeAgent.StartupBench;

/// <summary>
/// CPU used between two samples: by one process (utime + stime from /proc/PID/stat), by the server's cpuacct cgroup
/// (the server and every program it started that stays in it: conmon, runc create/start, CNI plugins, unshare), by the
/// pod cgroups (kubepods: runc init and the containers, every pod on the machine), and by the whole machine (non-idle
/// jiffies from /proc/stat), so a phase shows whether it was CPU-bound and where the CPU went even on a busy machine.
/// </summary>
internal sealed record CpuSample(double ProcessMs, double GroupMs, double PodsMs, double BusyMs, double TotalMs)
{
    private const double MsPerTick = 10; // USER_HZ is 100 on Linux.
    private const string PodsUsage = "/sys/fs/cgroup/cpuacct/kubepods/cpuacct.usage";

    public static CpuSample Take(int pid, ServerCgroup? group)
    {
        // Fields after "(comm)": state is field 3, utime 14, stime 15 (1-based).
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var process = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * MsPerTick;
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var idle = cpu[3] + cpu[4];
        var total = cpu.Take(8).Sum();
        return new CpuSample(process, group?.UsageMs() ?? 0, ServerCgroup.ReadUsageMs(PodsUsage), (total - idle) * MsPerTick, total * MsPerTick);
    }

    /// <summary>Per pod since <paramref name="before"/>: server, server cgroup and pod cgroups CPU ms, and the machine's busy share (%).</summary>
    public (double ServerMsPerPod, double GroupMsPerPod, double PodsMsPerPod, double MachineBusyPercent) Since(CpuSample before, int pods)
        => ((ProcessMs - before.ProcessMs) / pods,
            (GroupMs - before.GroupMs) / pods,
            (PodsMs - before.PodsMs) / pods,
            100 * (BusyMs - before.BusyMs) / Math.Max(1, TotalMs - before.TotalMs));
}

/// <summary>
/// A cpuacct cgroup (v1) the server is moved into right after its start, so the programs it launches are counted with
/// it (they inherit the cgroup; runc moves only the container's own processes into the pod's cgroup).
/// </summary>
internal sealed class ServerCgroup : IDisposable
{
    private const string Root = "/sys/fs/cgroup/cpuacct";
    private readonly string _path;

    private ServerCgroup(string path) => _path = path;

    /// <summary>The cgroup with <paramref name="pid"/> in it, or null where there is no cgroup v1 cpuacct hierarchy.</summary>
    public static ServerCgroup? Create(string name, int pid)
    {
        if (!File.Exists(Path.Combine(Root, "cpuacct.usage")))
        {
            return null;
        }

        var path = Path.Combine(Root, "nodeagent-bench-" + name);
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
        return new ServerCgroup(path);
    }

    public double UsageMs() => ReadUsageMs(Path.Combine(_path, "cpuacct.usage"));

    public static double ReadUsageMs(string usageFile)
        => File.Exists(usageFile) ? long.Parse(File.ReadAllText(usageFile).Trim(), CultureInfo.InvariantCulture) / 1e6 : 0;

    /// <summary>Removes the cgroup once the server and its programs are gone (conmon outlives a stopped server only while its pod runs).</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(_path);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"cgroup {_path} not removed: {e.Message}");
        }
    }
}
