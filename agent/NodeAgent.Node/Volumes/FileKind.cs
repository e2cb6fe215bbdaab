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

    // st_uid and st_gid follow st_mode (32 bits each).
    private const int OwnerOffset = 28;
    private const int GroupOffset = 32;

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

    /// <summary>The group owner as stat(2) reports it (following symlinks); null when the path is missing.</summary>
    public static unsafe long? GroupOf(string path)
    {
        var buffer = stackalloc byte[StatSize];
        return stat(path, buffer) == 0 ? *(uint*)(buffer + GroupOffset) : null;
    }

    /// <summary>The user owner as stat(2) reports it (following symlinks); null when the path is missing.</summary>
    public static unsafe long? OwnerOf(string path)
    {
        var buffer = stackalloc byte[StatSize];
        return stat(path, buffer) == 0 ? *(uint*)(buffer + OwnerOffset) : null;
    }

    /// <summary>lchown(2) with the group kept.</summary>
    public static void SetOwner(string path, long uid)
    {
        if (lchown(path, (uint)uid, uint.MaxValue) != 0)
        {
            throw new IOException($"lchown {path} to user {uid}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>lchown(2) with the owner kept: a symlink itself changes, never its target.</summary>
    public static void SetGroup(string path, long gid)
    {
        if (lchown(path, uint.MaxValue, (uint)gid) != 0)
        {
            throw new IOException($"lchown {path} to group {gid}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rename(string from, string to);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lchown(string path, uint owner, uint group);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int stat(string path, byte* buffer);
}
