using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Snapshots;

/// <summary>
/// <see cref="IMounter"/> over libc. Options that are mount flags (ro, nosuid, bind …) become
/// flags; the rest is passed as the file system's data string (e.g. overlay's lowerdir=…).
/// </summary>
public sealed class LinuxMounter : IMounter
{
    private const nuint MsRdOnly = 1;
    private const nuint MsRemount = 32;
    private const nuint MsBind = 4096;
    private const nuint MsRec = 16384;
    private const int MntDetach = 2;
    private const int BusyRetries = 20;

    private static readonly Dictionary<string, (nuint Set, nuint Clear)> FlagOptions = new(StringComparer.Ordinal)
    {
        ["ro"] = (MsRdOnly, 0),
        ["rw"] = (0, MsRdOnly),
        ["nosuid"] = (2, 0),
        ["suid"] = (0, 2),
        ["nodev"] = (4, 0),
        ["dev"] = (0, 4),
        ["noexec"] = (8, 0),
        ["exec"] = (0, 8),
        ["sync"] = (16, 0),
        ["noatime"] = (1024, 0),
        ["nodiratime"] = (2048, 0),
        ["relatime"] = (1 << 21, 0),
        ["strictatime"] = (1 << 24, 0),
        ["bind"] = (MsBind, 0),
        ["rbind"] = (MsBind | MsRec, 0),
    };

    public Task MountAsync(MountSpec mount, string target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mount);
        nuint flags = 0;
        var data = new List<string>();
        foreach (var option in mount.Options)
        {
            if (FlagOptions.TryGetValue(option, out var flag))
            {
                flags = (flags | flag.Set) & ~flag.Clear;
            }
            else
            {
                data.Add(option);
            }
        }

        var isBind = (flags & MsBind) != 0 || mount.Type == "bind";
        if (mount.Type == "bind")
        {
            flags |= MsBind;
        }

        var dataString = data.Count == 0 ? null : string.Join(',', data);
        if (Libc.Mount(mount.Source, target, isBind ? null : mount.Type, flags, dataString) != 0)
        {
            throw Failed("mount", mount, target, Libc.LastError);
        }

        // A bind mount ignores MS_RDONLY until remounted.
        if (isBind && (flags & MsRdOnly) != 0 && Libc.Mount(string.Empty, target, null, flags | MsRemount, null) != 0)
        {
            var errno = Libc.LastError;
            _ = Libc.Umount2(target, MntDetach);
            throw Failed("remount read-only", mount, target, errno);
        }

        return Task.CompletedTask;
    }

    public async Task UnmountAsync(string target, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (Libc.Umount2(target, 0) == 0)
            {
                return;
            }

            var errno = Libc.LastError;
            switch (errno)
            {
                case Libc.EInval or Libc.ENoEnt:
                    return; // not mounted (any more)
                case Libc.EBusy when attempt < BusyRetries:
                    await Task.Delay(TimeSpan.FromMilliseconds(10 * attempt), cancellationToken).ConfigureAwait(false);
                    continue;
                case Libc.EBusy:
                    // Still busy after retries: detach now, the kernel finishes when the last user leaves.
                    if (Libc.Umount2(target, MntDetach) == 0)
                    {
                        return;
                    }

                    errno = Libc.LastError;
                    break;
            }

            throw new RuntimeException(RuntimeErrorKind.Internal, $"umount {target}: {Libc.Describe(errno)} (errno {errno})");
        }
    }

    private static RuntimeException Failed(string what, MountSpec mount, string target, int errno)
        => new(
            RuntimeErrorKind.Internal,
            $"{what} {mount.Type} on {target} (source {mount.Source}, options {string.Join(',', mount.Options)}): {Libc.Describe(errno)} (errno {errno})");
}
