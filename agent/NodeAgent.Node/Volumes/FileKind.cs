using System.Runtime.InteropServices;

namespace NodeAgent.Node.Volumes;

/// <summary>File types as stat(2) reports them (sockets and devices, which .NET's file APIs do not tell apart).</summary>
public enum FileKind
{
    Missing,
    Directory,
    File,
    Socket,
    CharDevice,
    BlockDevice,
    Other,
}

internal static partial class FileKinds
{
    // struct stat on x86_64 glibc: st_mode is the 32-bit field at offset 24 (after dev, ino, nlink).
    private const int StatSize = 144;
    private const int ModeOffset = 24;

    public static unsafe FileKind Of(string path)
    {
        var buffer = stackalloc byte[StatSize];
        if (stat(path, buffer) != 0)
        {
            return FileKind.Missing;
        }

        var mode = *(uint*)(buffer + ModeOffset) & 0xF000;
        return mode switch
        {
            0x4000 => FileKind.Directory,
            0x8000 => FileKind.File,
            0xC000 => FileKind.Socket,
            0x2000 => FileKind.CharDevice,
            0x6000 => FileKind.BlockDevice,
            _ => FileKind.Other,
        };
    }

    /// <summary>rename(2): replaces a symlink without following it (File.Move resolves links).</summary>
    public static void Rename(string from, string to)
    {
        if (rename(from, to) != 0)
        {
            throw new IOException($"rename {from} to {to}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rename(string from, string to);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int stat(string path, byte* buffer);
}
