using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NodeAgent.Node.Streams;

/// <summary>
/// Device and inode of a file (stat(2)/fstat(2)): tells a follower that the path now names another file than the one
/// it holds open, i.e. that the log was rotated.
/// </summary>
internal readonly partial record struct FileIdentity(ulong Device, ulong Inode)
{
    // struct stat on x86_64 glibc: st_dev at offset 0, st_ino at 8; 144 bytes in all.
    private const int StatSize = 144;

    /// <summary>The file at <paramref name="path"/> now, or null when there is none.</summary>
    public static unsafe FileIdentity? Of(string path)
    {
        var buffer = stackalloc byte[StatSize];
        return stat(path, buffer) == 0 ? Read(buffer) : null;
    }

    /// <summary>The file <paramref name="handle"/> has open, renamed or deleted as it may be.</summary>
    public static unsafe FileIdentity? Of(SafeFileHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var buffer = stackalloc byte[StatSize];
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return fstat((int)handle.DangerousGetHandle(), buffer) == 0 ? Read(buffer) : null;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static unsafe FileIdentity Read(byte* buffer) => new(*(ulong*)buffer, *(ulong*)(buffer + 8));

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int stat(string path, byte* buffer);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int fstat(int fd, byte* buffer);
}
