using System.ComponentModel;
using System.Globalization;
using System.Runtime.InteropServices;

namespace NodeAgent.Node.Volumes;

/// <summary><see cref="IMounter"/> over mount(2) and umount2(2).</summary>
public sealed partial class LinuxMounter : IMounter
{
    private const ulong MsNoSuid = 2;
    private const ulong MsNoDev = 4;
    private const int MntDetach = 2;
    private const int Einval = 22;

    public void MountTmpfs(string target, long? sizeBytes)
    {
        var data = sizeBytes is { } size ? "mode=0777,size=" + size.ToString(CultureInfo.InvariantCulture) : "mode=0777";
        if (mount("tmpfs", target, "tmpfs", MsNoSuid | MsNoDev, data) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"mount tmpfs on {target}");
        }
    }

    public void Unmount(string target)
    {
        // Lazy unmount: a container that still holds the mount must not make teardown fail.
        if (umount2(target, MntDetach) != 0 && Marshal.GetLastPInvokeError() != Einval)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"umount {target}");
        }
    }

    public bool IsMountPoint(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd('/');
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4 && Unescape(fields[4]) == full)
            {
                return true;
            }
        }

        return false;
    }

    private static string Unescape(string field) => field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mount(string source, string target, string fstype, ulong flags, string data);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int umount2(string target, int flags);
}
