using System.Runtime.InteropServices;
using NodeAgent.Runtime.Oci.Spec;
using NodeAgent.Runtime.Snapshots;

namespace NodeAgent.Runtime.Containers.Spec;

/// <summary>The real <see cref="ISpecHost"/>: getrlimit, /proc/self/oom_score_adj, statx on /dev.</summary>
public sealed unsafe partial class SpecHost : ISpecHost
{
    public static SpecHost Instance { get; } = new();

    // Resource numbers of the generic Linux ABI (x86_64 and arm64 agree).
    private static readonly Dictionary<string, int> RlimitNumbers = new(StringComparer.Ordinal)
    {
        ["RLIMIT_CPU"] = 0, ["RLIMIT_FSIZE"] = 1, ["RLIMIT_DATA"] = 2, ["RLIMIT_STACK"] = 3, ["RLIMIT_CORE"] = 4,
        ["RLIMIT_RSS"] = 5, ["RLIMIT_NPROC"] = 6, ["RLIMIT_NOFILE"] = 7, ["RLIMIT_MEMLOCK"] = 8, ["RLIMIT_AS"] = 9,
        ["RLIMIT_LOCKS"] = 10, ["RLIMIT_SIGPENDING"] = 11, ["RLIMIT_MSGQUEUE"] = 12, ["RLIMIT_NICE"] = 13,
        ["RLIMIT_RTPRIO"] = 14, ["RLIMIT_RTTIME"] = 15,
    };

    // Pseudo-filesystems and runtime dirs that are not devices to copy into a privileged container (as containerd skips them).
    private static readonly HashSet<string> SkippedDevDirectories = new(StringComparer.Ordinal) { "pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", "hugepages" };

    // These facts do not change while the agent runs; read them once.
    private readonly Lazy<bool> _isCgroupV2 = new(() => File.Exists("/sys/fs/cgroup/cgroup.controllers"));
    private readonly Lazy<bool> _swapLimitSupported = new(ReadSwapLimitSupported);
    private readonly Lazy<IReadOnlyCollection<string>> _boundingCapabilities = new(ReadBoundingCapabilities);

    private SpecHost()
    {
    }

    public int OwnOomScoreAdj
    {
        get
        {
            try
            {
                return int.Parse(File.ReadAllText("/proc/self/oom_score_adj").Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                return 0;
            }
        }
    }

    public bool IsCgroupV2 => _isCgroupV2.Value;

    public bool SwapLimitSupported => _swapLimitSupported.Value;

    /// <summary>CapBnd of /proc/self/status, decoded by bit number (root here lacks CAP_SYS_RESOURCE, for example).</summary>
    public IReadOnlyCollection<string> BoundingCapabilities => _boundingCapabilities.Value;

    public string HostName => Environment.MachineName;

    public ulong? HardLimit(string rlimitType)
    {
        if (!RlimitNumbers.TryGetValue(rlimitType, out var resource))
        {
            return null;
        }

        Rlimit limit;
        return GetRlimit(resource, &limit) == 0 ? limit.Max : null;
    }

    public OciDevice? Device(string hostPath)
    {
        var path = hostPath;
        try
        {
            if (File.ResolveLinkTarget(hostPath, returnFinalTarget: true) is { } target)
            {
                path = target.FullName;
            }
        }
        catch (IOException)
        {
            return null;
        }

        if (Libc.LStat(path, out var stat) != 0)
        {
            return null;
        }

        var type = stat.FileType switch
        {
            Libc.SIfChr => "c",
            Libc.SIfBlk => "b",
            _ => null,
        };
        return type is null
            ? null
            : new OciDevice(type, hostPath, stat.RdevMajor, stat.RdevMinor) { FileMode = (uint)(stat.Mode & 0xFFF), Uid = stat.Uid, Gid = stat.Gid };
    }

    public IReadOnlyList<OciDevice> AllDevices()
    {
        var devices = new List<OciDevice>();
        Collect("/dev", devices);
        return devices;
    }

    private void Collect(string directory, List<OciDevice> devices)
    {
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var entry in entries.Order(StringComparer.Ordinal))
        {
            if (Libc.LStat(entry, out var stat) != 0 || stat.IsSymlink)
            {
                continue;
            }

            if (stat.IsDirectory)
            {
                if (!SkippedDevDirectories.Contains(Path.GetFileName(entry)))
                {
                    Collect(entry, devices);
                }
            }
            else if (entry != "/dev/console" && Device(entry) is { } device)
            {
                devices.Add(device);
            }
        }
    }

    private static bool ReadSwapLimitSupported()
    {
        if (!File.Exists("/sys/fs/cgroup/cgroup.controllers"))
        {
            return File.Exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes");
        }

        // The root cgroup has no memory.swap.max: look beside our own cgroup ("0::/path" in /proc/self/cgroup).
        var own = File.ReadLines("/proc/self/cgroup").FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..];
        return own is not null && File.Exists($"/sys/fs/cgroup{own.TrimEnd('/')}/memory.swap.max");
    }

    private static IReadOnlyCollection<string> ReadBoundingCapabilities()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapBnd:", StringComparison.Ordinal));
        var mask = line is null ? ulong.MaxValue : ulong.Parse(line["CapBnd:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        return [.. Capabilities.All.Where((_, bit) => (mask & (1UL << bit)) != 0)];
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Rlimit
    {
        public ulong Current;
        public ulong Max;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRlimit(int resource, Rlimit* limit);
}
