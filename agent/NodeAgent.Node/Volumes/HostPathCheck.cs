namespace NodeAgent.Node.Volumes;

/// <summary>hostPath <c>type</c> semantics: create what the *OrCreate types ask for, refuse a mismatch.</summary>
public static class HostPathCheck
{
    /// <exception cref="VolumeException">The path is not of the requested type.</exception>
    public static void Apply(string path, string? type)
    {
        ArgumentNullException.ThrowIfNull(path);
        var kind = FileKinds.Of(path);
        switch (type ?? string.Empty)
        {
            case "":
                return;
            case "DirectoryOrCreate":
                if (kind == FileKind.Missing)
                {
                    Directory.CreateDirectory(path);
                    File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
                    return;
                }

                Expect(path, kind, FileKind.Directory, "directory");
                return;
            case "Directory":
                Expect(path, kind, FileKind.Directory, "directory");
                return;
            case "FileOrCreate":
                if (kind == FileKind.Missing)
                {
                    // Like kubelet, the parent directory is not created.
                    using (File.Create(path))
                    {
                    }

                    File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("644", 8));
                    return;
                }

                Expect(path, kind, FileKind.File, "file");
                return;
            case "File":
                Expect(path, kind, FileKind.File, "file");
                return;
            case "Socket":
                Expect(path, kind, FileKind.Socket, "socket");
                return;
            case "CharDevice":
                Expect(path, kind, FileKind.CharDevice, "character device");
                return;
            case "BlockDevice":
                Expect(path, kind, FileKind.BlockDevice, "block device");
                return;
            default:
                throw new VolumeException($"hostPath type {type} is not supported");
        }
    }

    private static void Expect(string path, FileKind actual, FileKind expected, string noun)
    {
        if (actual == FileKind.Missing)
        {
            throw new VolumeException($"hostPath type check failed: {path} does not exist");
        }

        if (actual != expected)
        {
            throw new VolumeException($"hostPath type check failed: {path} is not a {noun}");
        }
    }
}
