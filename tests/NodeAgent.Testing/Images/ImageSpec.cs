namespace NodeAgent.Testing.Images;

/// <summary>The root filesystem an image starts from, below its own layers.</summary>
public enum ImageBase
{
    /// <summary>The host's static busybox with applet symlinks, /etc/passwd, /etc/group, /tmp and /root.</summary>
    Busybox,

    /// <summary>Nothing: the image holds only its own layers and files.</summary>
    Scratch,
}

/// <summary>
/// An image to build, immutable so tests derive variants with <c>with</c>. Layers are stacked as
/// base, <see cref="Layers"/>, then one layer holding <see cref="Files"/> (when there are any).
/// </summary>
public sealed record ImageSpec
{
    /// <summary>The fixed creation time (also every tar mtime), so builds are byte-for-byte reproducible.</summary>
    public static readonly DateTimeOffset FixedCreated = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Repository-style name, e.g. <c>nodeagent-test/busybox</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The tag, also the ref name the image gets in an OCI layout's index.json.</summary>
    public string Tag { get; init; } = "latest";

    public ImageBase Base { get; init; } = ImageBase.Busybox;

    public IReadOnlyList<LayerSpec> Layers { get; init; } = [];

    public IReadOnlyList<LayerEntry> Files { get; init; } = [];

    public IReadOnlyList<string>? Entrypoint { get; init; }

    public IReadOnlyList<string>? Cmd { get; init; }

    /// <summary>Environment variables, written to the config ordered by name.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    public string? User { get; init; }

    public string? WorkingDir { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Ports like <c>8080/tcp</c>.</summary>
    public IReadOnlyList<string> ExposedPorts { get; init; } = [];

    public string? StopSignal { get; init; }

    public ImagePlatform Platform { get; init; } = ImagePlatform.LinuxAmd64;

    public DateTimeOffset Created { get; init; } = FixedCreated;

    /// <summary><c>Name:Tag</c>.</summary>
    public string Reference => $"{Name}:{Tag}";

    /// <summary>A busybox image whose default command is <c>sh</c>.</summary>
    public static ImageSpec Busybox(string name = "nodeagent-test/busybox", string tag = "latest") => new()
    {
        Name = name,
        Tag = tag,
        Cmd = ["sh"],
        Env = new Dictionary<string, string> { ["PATH"] = DefaultPath },
    };

    /// <summary>An image holding only the given files (no busybox, no /etc).</summary>
    public static ImageSpec FromFiles(string name, string tag, params LayerEntry[] files) => new()
    {
        Name = name,
        Tag = tag,
        Base = ImageBase.Scratch,
        Files = files,
    };

    /// <summary>
    /// A scratch image holding one static binary as its entrypoint, e.g. a pause image from
    /// <c>/usr/bin/catatonit</c> (package <c>catatonit</c>) with <c>["-P"]</c> as arguments.
    /// </summary>
    public static ImageSpec FromStaticBinary(
        string name,
        string tag,
        string hostBinary,
        string providingPackage,
        string? imagePath = null,
        IReadOnlyList<string>? arguments = null)
    {
        var path = imagePath ?? "/" + System.IO.Path.GetFileName(hostBinary);
        return FromFiles(name, tag, LayerEntry.StaticBinary(path, hostBinary, providingPackage)) with
        {
            Entrypoint = [path],
            Cmd = arguments,
        };
    }

    public ImageSpec WithFiles(params LayerEntry[] files) => this with { Files = [.. Files, .. files] };

    public ImageSpec WithLayers(params LayerSpec[] layers) => this with { Layers = [.. Layers, .. layers] };

    public ImageSpec WithLabel(string key, string value)
        => this with { Labels = new Dictionary<string, string>(Labels) { [key] = value } };

    public ImageSpec WithEnv(string key, string value)
        => this with { Env = new Dictionary<string, string>(Env) { [key] = value } };
}
