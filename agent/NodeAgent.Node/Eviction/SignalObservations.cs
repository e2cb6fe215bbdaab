using System.Globalization;
using System.Runtime.InteropServices;
using NodeAgent.Node.Api;

namespace NodeAgent.Node.Eviction;

/// <summary>One signal's measurement: what is available and out of how much (percent thresholds use the capacity).</summary>
public readonly record struct SignalObservation(long Available, long Capacity);

/// <summary>Size and free space of one filesystem (statvfs).</summary>
public readonly record struct FilesystemStats(long CapacityBytes, long AvailableBytes, long Inodes, long InodesFree);

/// <summary>
/// Measures the eviction signals on this machine: memory.available from /proc/meminfo (MemAvailable, what the kernel
/// says can be allocated without swapping), nodefs from statvfs of the node's root dir (the data dir: pod volumes and
/// state), imagefs from statvfs of the runtime's image filesystem (CRI ImageFsInfo's mountpoint), pid.available as
/// kernel.pid_max minus the running processes.
/// </summary>
public static partial class SignalObservations
{
    public static Dictionary<string, SignalObservation> Observe(string nodeFsPath, string? imageFsPath)
    {
        var meminfo = MachineInfo.ReadOr("/proc/meminfo");
        var observations = new Dictionary<string, SignalObservation>(StringComparer.Ordinal);
        if (MachineInfo.MemInfoBytes(meminfo, "MemTotal") is { } total && MachineInfo.MemInfoBytes(meminfo, "MemAvailable") is { } available)
        {
            observations[EvictionSignal.MemoryAvailable] = new SignalObservation(available, total);
        }

        if (Statfs(nodeFsPath) is { } nodeFs)
        {
            observations[EvictionSignal.NodeFsAvailable] = new SignalObservation(nodeFs.AvailableBytes, nodeFs.CapacityBytes);
            observations[EvictionSignal.NodeFsInodesFree] = new SignalObservation(nodeFs.InodesFree, nodeFs.Inodes);
        }

        if ((imageFsPath is null ? null : Statfs(imageFsPath)) is { } imageFs)
        {
            observations[EvictionSignal.ImageFsAvailable] = new SignalObservation(imageFs.AvailableBytes, imageFs.CapacityBytes);
            observations[EvictionSignal.ImageFsInodesFree] = new SignalObservation(imageFs.InodesFree, imageFs.Inodes);
        }

        if (long.TryParse(MachineInfo.ReadOr("/proc/sys/kernel/pid_max").Trim(), CultureInfo.InvariantCulture, out var pidMax))
        {
            observations[EvictionSignal.PidAvailable] = new SignalObservation(Math.Max(0, pidMax - MachineInfo.CountProcesses()), pidMax);
        }

        return observations;
    }

    /// <summary>statvfs(3) of the filesystem holding <paramref name="path"/> (the nearest existing ancestor); null if none.</summary>
    public static FilesystemStats? Statfs(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var existing = Path.GetFullPath(path);
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            existing = parent;
        }

        if (StatVfs(existing, out var s) != 0)
        {
            return null;
        }

        var block = (long)(s.FragmentSize != 0 ? s.FragmentSize : s.BlockSize);
        return new FilesystemStats((long)s.Blocks * block, (long)s.BlocksAvailable * block, (long)s.Files, (long)s.FilesFree);
    }

    [LibraryImport("libc", EntryPoint = "statvfs", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int StatVfs(string path, out StatVfsBuffer buffer);

    /// <summary>struct statvfs of 64-bit glibc/musl: eleven unsigned longs and six reserved ints.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct StatVfsBuffer
    {
        public ulong BlockSize;
        public ulong FragmentSize;
        public ulong Blocks;
        public ulong BlocksFree;
        public ulong BlocksAvailable;
        public ulong Files;
        public ulong FilesFree;
        public ulong FilesAvailable;
        public ulong FsId;
        public ulong Flag;
        public ulong NameMax;
        public ulong Spare0;
        public ulong Spare1;
        public ulong Spare2;
    }
}
