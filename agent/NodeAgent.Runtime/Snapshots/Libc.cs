using System.Runtime.InteropServices;

namespace NodeAgent.Runtime.Snapshots;

/// <summary>
/// The few libc calls the unpacker, content store and snapshotter need that .NET does not expose
/// (mknod, xattrs, lchown, utimensat, statx, mount). Linux only; each wrapper returns -1 and sets
/// the errno read by <see cref="Marshal.GetLastPInvokeError"/>.
/// </summary>
internal static unsafe partial class Libc
{
    public const int AtFdCwd = -100;
    public const int AtSymlinkNoFollow = 0x100;

    // These open(2) flags have the same values on x86_64 and arm64 (O_NOFOLLOW/O_DIRECTORY differ, so are not used).
    public const int ORdOnly = 0;
    public const int OWrOnly = 1;
    public const int OCreat = 0x40;
    public const int OExcl = 0x80;
    public const int OCloExec = 0x80000;

    public const uint SIfMt = 0xF000;
    public const uint SIfDir = 0x4000;
    public const uint SIfReg = 0x8000;
    public const uint SIfLnk = 0xA000;
    public const uint SIfChr = 0x2000;
    public const uint SIfBlk = 0x6000;
    public const uint SIfIfo = 0x1000;

    public const int EPerm = 1;
    public const int ENoEnt = 2;
    public const int EIntr = 4;
    public const int EBusy = 16;
    public const int EExist = 17;
    public const int ENotDir = 20;
    public const int EIsDir = 21;
    public const int EInval = 22;
    public const int ENotEmpty = 39;

    /// <summary>utimensat/futimens: leave this time unchanged.</summary>
    public const long UtimeOmit = (1L << 30) - 2;

    public const uint StatxBasicStats = 0x7FF;

    private const string LibcName = "libc";

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct StatxTimestamp
    {
        public long Seconds;
        public uint Nanoseconds;
        private readonly int _reserved;
    }

    /// <summary>struct statx: the same layout on every architecture, unlike struct stat.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    public struct Statx
    {
        public uint Mask;
        public uint BlockSize;
        public ulong Attributes;
        public uint LinkCount;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
        private readonly ushort _spare0;
        public ulong Inode;
        public ulong Size;
        public ulong Blocks;
        public ulong AttributesMask;
        public StatxTimestamp AccessTime;
        public StatxTimestamp BirthTime;
        public StatxTimestamp ChangeTime;
        public StatxTimestamp ModificationTime;
        public uint RdevMajor;
        public uint RdevMinor;
        public uint DevMajor;
        public uint DevMinor;

        public readonly uint FileType => Mode & SIfMt;

        public readonly bool IsDirectory => FileType == SIfDir;

        public readonly bool IsSymlink => FileType == SIfLnk;
    }

    public static int LastError => Marshal.GetLastPInvokeError();

    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>Throws an <see cref="IOException"/> naming the call, the path and errno (its HResult is the errno).</summary>
    public static IOException Error(string call, string path, int errno)
        => new($"{call} {path}: {Describe(errno)} (errno {errno})", errno);

    /// <summary>lstat via statx; returns the errno (0 on success).</summary>
    public static int LStat(string path, out Statx result)
    {
        result = default;
        fixed (Statx* buffer = &result)
        {
            return StatxCall(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) == 0 ? 0 : LastError;
        }
    }

    [LibraryImport(LibcName, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxCall(int dirFd, string path, int flags, uint mask, Statx* buffer);

    // open(2) is variadic in C; passing the mode as a fixed argument is ABI-compatible on x86_64 and arm64 Linux.
    [LibraryImport(LibcName, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, uint mode);

    [LibraryImport(LibcName, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(LibcName, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport(LibcName, EntryPoint = "fsync", SetLastError = true)]
    public static partial int FSync(int fd);

    [LibraryImport(LibcName, EntryPoint = "fchown", SetLastError = true)]
    public static partial int FChown(int fd, int uid, int gid);

    [LibraryImport(LibcName, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int FChmod(int fd, uint mode);

    [LibraryImport(LibcName, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int FChmod(Microsoft.Win32.SafeHandles.SafeFileHandle fd, uint mode);

    [LibraryImport(LibcName, EntryPoint = "futimens", SetLastError = true)]
    public static partial int FUtimens(int fd, Timespec* times);

    [LibraryImport(LibcName, EntryPoint = "fsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FSetXattr(int fd, string name, byte* value, nuint size, int flags);

    [LibraryImport(LibcName, EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LSetXattr(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport(LibcName, EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint LGetXattr(string path, string name, byte* value, nuint size);

    [LibraryImport(LibcName, EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mkdir(string path, uint mode);

    [LibraryImport(LibcName, EntryPoint = "chmod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chmod(string path, uint mode);

    [LibraryImport(LibcName, EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LChown(string path, int uid, int gid);

    [LibraryImport(LibcName, EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Utimensat(int dirFd, string path, Timespec* times, int flags);

    [LibraryImport(LibcName, EntryPoint = "mknod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mknod(string path, uint mode, ulong device);

    [LibraryImport(LibcName, EntryPoint = "symlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Symlink(string target, string linkPath);

    [LibraryImport(LibcName, EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Linkat(int oldDirFd, string oldPath, int newDirFd, string newPath, int flags);

    [LibraryImport(LibcName, EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Unlink(string path);

    [LibraryImport(LibcName, EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Rename(string oldPath, string newPath);

    [LibraryImport(LibcName, EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport(LibcName, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string source, string target, string? fileSystemType, nuint flags, string? data);

    [LibraryImport(LibcName, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);

    /// <summary>An xattr's value as UTF-8 text, or null when it is not set.</summary>
    public static string? GetXattr(string path, string name)
    {
        var buffer = stackalloc byte[4096];
        var length = LGetXattr(path, name, buffer, 4096);
        return length < 0 ? null : System.Text.Encoding.UTF8.GetString(buffer, (int)length);
    }

    /// <summary>fsync on a directory, so a rename into it survives a crash.</summary>
    public static void SyncDirectory(string path)
    {
        var fd = Open(path, ORdOnly | OCloExec, 0);
        if (fd < 0)
        {
            return;
        }

        _ = FSync(fd);
        _ = Close(fd);
    }
}
