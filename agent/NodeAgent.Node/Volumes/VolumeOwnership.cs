namespace NodeAgent.Node.Volumes;

/// <summary>
/// kubelet's SetVolumeOwnership for a pod's <c>securityContext.fsGroup</c>: every entry of a volume gets the group
/// (symlinks themselves, never their targets); files gain group and owner read (read-only volumes: configMap, secret,
/// downwardAPI, projected) or read-write (emptyDir); directories also gain search and the set-group-ID bit, so what
/// containers create later inherits the group.
/// </summary>
internal static class VolumeOwnership
{
    private const UnixFileMode ReadOnlyMask = UnixFileMode.UserRead | UnixFileMode.GroupRead;
    private const UnixFileMode ReadWriteMask = ReadOnlyMask | UnixFileMode.UserWrite | UnixFileMode.GroupWrite;
    private const UnixFileMode DirectoryMask = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.SetGroup;

    /// <summary>The permission bits a file of a volume ends with, given the bits it was written with.</summary>
    public static UnixFileMode FileMode(UnixFileMode mode, long? fsGroup, bool readOnly)
        => fsGroup is null ? mode : mode | (readOnly ? ReadOnlyMask : ReadWriteMask);

    /// <summary>Applies the group and modes to <paramref name="root"/> and everything below it.</summary>
    public static void Apply(string root, long fsGroup, bool readOnly)
    {
        var mask = readOnly ? ReadOnlyMask : ReadWriteMask;
        var pending = new Stack<string>();
        Change(root, fsGroup, mask, isDirectory: true);
        pending.Push(root);
        while (pending.TryPop(out var dir))
        {
            foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos())
            {
                if (entry.LinkTarget is not null)
                {
                    // chmod would follow the link; kubelet only changes the link's group.
                    FileKinds.SetGroup(entry.FullName, fsGroup);
                    continue;
                }

                var isDirectory = entry is DirectoryInfo;
                Change(entry.FullName, fsGroup, mask, isDirectory);
                if (isDirectory)
                {
                    pending.Push(entry.FullName);
                }
            }
        }
    }

    private static void Change(string path, long fsGroup, UnixFileMode mask, bool isDirectory)
    {
        FileKinds.SetGroup(path, fsGroup);
        var mode = File.GetUnixFileMode(path);
        var wanted = mode | mask | (isDirectory ? DirectoryMask : 0);
        if (wanted != mode)
        {
            File.SetUnixFileMode(path, wanted);
        }
    }
}
