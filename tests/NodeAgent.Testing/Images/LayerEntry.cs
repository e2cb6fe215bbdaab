using System.Text;

namespace NodeAgent.Testing.Images;

/// <summary>What a layer entry becomes in the layer tar.</summary>
public enum LayerEntryKind
{
    File,
    Directory,
    Symlink,

    /// <summary>A <c>.wh.NAME</c> marker: deletes NAME inherited from lower layers.</summary>
    Whiteout,

    /// <summary>A <c>.wh..wh..opq</c> marker: hides everything lower layers put in the directory.</summary>
    OpaqueDirectory,
}

/// <summary>
/// One path of a layer. Paths are absolute or relative to the image root ("/etc/passwd" and
/// "etc/passwd" are the same); missing parent directories are added by the layer writer.
/// </summary>
public sealed record LayerEntry
{
    public const UnixFileMode RegularFileMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public const UnixFileMode ExecutableMode = RegularFileMode
        | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public const UnixFileMode DirectoryMode = ExecutableMode;

    /// <summary>rwxrwxrwx, e.g. for symlinks and (with the sticky bit) /tmp.</summary>
    public const UnixFileMode AllPermissions = ExecutableMode | UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    private LayerEntry(string path, LayerEntryKind kind, UnixFileMode mode)
    {
        Path = NormalizePath(path);
        Kind = kind;
        Mode = mode;
    }

    /// <summary>The path relative to the image root, without leading or trailing slashes.</summary>
    public string Path { get; }

    public LayerEntryKind Kind { get; }

    public UnixFileMode Mode { get; init; }

    public int Uid { get; init; }

    public int Gid { get; init; }

    /// <summary>File content given in memory (ignored when <see cref="HostPath"/> is set).</summary>
    public ReadOnlyMemory<byte> Content { get; init; }

    /// <summary>A host file whose bytes become the content, read when the layer is built.</summary>
    public string? HostPath { get; init; }

    /// <summary>When set, the host file must be a statically linked ELF binary; the text names the package that provides it.</summary>
    public string? RequiredStaticPackage { get; init; }

    public string? LinkTarget { get; init; }

    public static LayerEntry File(string path, ReadOnlyMemory<byte> content, UnixFileMode mode = RegularFileMode)
        => new(path, LayerEntryKind.File, mode) { Content = content };

    public static LayerEntry TextFile(string path, string content, UnixFileMode mode = RegularFileMode)
        => File(path, Encoding.UTF8.GetBytes(content), mode);

    /// <summary>A file copied from the host when the layer is built (so specs stay cheap to create).</summary>
    public static LayerEntry HostFile(string path, string hostPath, UnixFileMode mode = ExecutableMode)
        => new(path, LayerEntryKind.File, mode) { HostPath = hostPath };

    /// <summary>A host binary that must be statically linked, because the image has no libc to load it with.</summary>
    public static LayerEntry StaticBinary(string path, string hostPath, string providingPackage)
        => HostFile(path, hostPath) with { RequiredStaticPackage = providingPackage };

    public static LayerEntry Directory(string path, UnixFileMode mode = DirectoryMode) => new(path, LayerEntryKind.Directory, mode);

    public static LayerEntry Symlink(string path, string target)
        => new(path, LayerEntryKind.Symlink, AllPermissions) { LinkTarget = target };

    /// <summary>Deletes <paramref name="path"/> that a lower layer created.</summary>
    public static LayerEntry Whiteout(string path) => new(path, LayerEntryKind.Whiteout, RegularFileMode);

    /// <summary>Makes <paramref name="directory"/> opaque: only this layer's (and upper layers') children remain visible.</summary>
    public static LayerEntry OpaqueDirectory(string directory) => new(directory, LayerEntryKind.OpaqueDirectory, RegularFileMode);

    /// <summary>The name this entry has inside the layer tar.</summary>
    public string TarName => Kind switch
    {
        LayerEntryKind.Directory => Path + "/",
        LayerEntryKind.Whiteout => Join(ParentOf(Path), ".wh." + NameOf(Path)),
        LayerEntryKind.OpaqueDirectory => Join(Path, ".wh..wh..opq"),
        _ => Path,
    };

    internal static string ParentOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? string.Empty : path[..slash];
    }

    private static string NameOf(string path) => path[(path.LastIndexOf('/') + 1)..];

    private static string Join(string directory, string name) => directory.Length == 0 ? name : directory + "/" + name;

    private static string NormalizePath(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts.Any(p => p is "." or ".."))
        {
            throw new ArgumentException($"Layer path '{path}' must name something below the image root, without '.' or '..'.", nameof(path));
        }

        return string.Join('/', parts);
    }
}
