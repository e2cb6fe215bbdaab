using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Containers.Spec;

/// <summary>
/// Reads a file of a container rootfs as the container would see it: symlinks (absolute or with "..")
/// are resolved inside the rootfs, never on the host, so an image whose /etc/passwd links to
/// /etc/shadow or ../../../etc/passwd reads its own files, not the node's.
/// </summary>
public static class RootfsFile
{
    private const int MaxSymlinks = 40;

    /// <summary>Large enough for any real passwd/group file; stops a hostile image from making us read gigabytes.</summary>
    private const long MaxBytes = 16 * 1024 * 1024;

    /// <summary>The host path that <paramref name="containerPath"/> names inside <paramref name="rootfs"/>, with every symlink resolved within it.</summary>
    public static string Resolve(string rootfs, string containerPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootfs);
        ArgumentNullException.ThrowIfNull(containerPath);
        var root = Path.GetFullPath(rootfs).TrimEnd('/');
        var pending = new Stack<string>(Split(containerPath).Reverse());
        var resolved = new List<string>();
        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            var candidate = root + "/" + string.Join('/', resolved.Append(part));
            var target = new FileInfo(candidate).LinkTarget;
            if (target is null)
            {
                resolved.Add(part);
                continue;
            }

            if (++links > MaxSymlinks)
            {
                throw new RuntimeException(RuntimeErrorKind.Invalid, $"too many symlinks resolving {containerPath} in the container rootfs");
            }

            if (target.StartsWith('/'))
            {
                resolved.Clear();
            }

            foreach (var linked in Split(target).Reverse())
            {
                pending.Push(linked);
            }
        }

        return resolved.Count == 0 ? root : root + "/" + string.Join('/', resolved);
    }

    /// <summary>The file's text, or null when it does not exist (or is not a regular file) in the rootfs.</summary>
    public static async Task<string?> ReadTextAsync(string rootfs, string containerPath, CancellationToken cancellationToken)
    {
        var path = Resolve(rootfs, containerPath);
        var info = new FileInfo(path);
        if (!info.Exists || info.LinkTarget is not null)
        {
            return null;
        }

        if (info.Length > MaxBytes)
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"{containerPath} in the container rootfs is larger than {MaxBytes} bytes");
        }

        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private static IEnumerable<string> Split(string path)
        => path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");
}
