using System.Globalization;
using System.Runtime.InteropServices;

namespace NodeAgent.Node.Api;

/// <summary>What the node reports about the machine: capacity and the figures its pressure conditions come from.</summary>
public sealed record MachineSnapshot
{
    public required int Cpus { get; init; }

    public required long MemoryBytes { get; init; }

    public required long MemoryAvailableBytes { get; init; }

    /// <summary>Size and free space of the filesystem holding the data dir (kubelet's nodefs).</summary>
    public required long DiskBytes { get; init; }

    public required long DiskAvailableBytes { get; init; }

    public required long PidMax { get; init; }

    public required long Processes { get; init; }

    public string KernelVersion { get; init; } = string.Empty;

    public string OsImage { get; init; } = string.Empty;

    public string MachineId { get; init; } = string.Empty;

    public string BootId { get; init; } = string.Empty;

    public string Architecture { get; init; } = "amd64";
}

/// <summary>Reads <see cref="MachineSnapshot"/> from /proc, /etc and the data dir's filesystem.</summary>
public static class MachineInfo
{
    public static MachineSnapshot Read(string dataDir)
    {
        var meminfo = ReadOr("/proc/meminfo");
        var drive = new DriveInfo(Directory.Exists(dataDir) ? dataDir : "/");
        return new MachineSnapshot
        {
            Cpus = Environment.ProcessorCount,
            MemoryBytes = MemInfoBytes(meminfo, "MemTotal") ?? (long)GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            MemoryAvailableBytes = MemInfoBytes(meminfo, "MemAvailable") ?? 0,
            DiskBytes = drive.TotalSize,
            DiskAvailableBytes = drive.AvailableFreeSpace,
            PidMax = long.TryParse(ReadOr("/proc/sys/kernel/pid_max").Trim(), CultureInfo.InvariantCulture, out var pidMax) ? pidMax : 32768,
            Processes = CountProcesses(),
            KernelVersion = ReadOr("/proc/sys/kernel/osrelease").Trim(),
            OsImage = OsReleasePrettyName(ReadOr("/etc/os-release")) ?? RuntimeInformation.OSDescription,
            MachineId = ReadOr("/etc/machine-id").Trim(),
            BootId = ReadOr("/proc/sys/kernel/random/boot_id").Trim(),
            Architecture = GoArchitecture(RuntimeInformation.OSArchitecture),
        };
    }

    /// <summary>A /proc/meminfo field ("MemTotal:  16314660 kB") in bytes.</summary>
    public static long? MemInfoBytes(string meminfo, string field)
    {
        ArgumentNullException.ThrowIfNull(meminfo);
        foreach (var line in meminfo.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || line[..colon] != field)
            {
                continue;
            }

            var parts = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 0 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var value))
            {
                return parts.Length > 1 && parts[1] == "kB" ? value * 1024 : value;
            }
        }

        return null;
    }

    /// <summary>PRETTY_NAME of os-release ("Debian GNU/Linux 12 (bookworm)"), unquoted.</summary>
    public static string? OsReleasePrettyName(string osRelease)
    {
        ArgumentNullException.ThrowIfNull(osRelease);
        var line = osRelease.Split('\n').FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
        return line?["PRETTY_NAME=".Length..].Trim().Trim('"');
    }

    /// <summary>Architecture as Go spells it (node.status.nodeInfo.architecture and the kubernetes.io/arch label).</summary>
    public static string GoArchitecture(Architecture architecture) => architecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        _ => architecture.ToString().ToLowerInvariant(),
    };

    /// <summary>Processes running on the machine (numeric /proc entries); 0 when /proc cannot be read.</summary>
    internal static long CountProcesses()
    {
        try
        {
            return Directory.EnumerateDirectories("/proc").Count(d => Path.GetFileName(d).All(char.IsAsciiDigit));
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>A /proc or /sys file's text, empty when it cannot be read.</summary>
    internal static string ReadOr(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
