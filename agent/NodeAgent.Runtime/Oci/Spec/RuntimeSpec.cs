namespace NodeAgent.Runtime.Oci.Spec;

/// <summary>
/// The OCI runtime specification (config.json of a bundle), as far as NodeAgent uses it.
/// Property names serialize in camelCase, which is exactly the spec's spelling; null members are omitted.
/// </summary>
public sealed record RuntimeSpec
{
    /// <summary>The spec version we write; runc 1.1 accepts any 1.0.x.</summary>
    public const string CurrentVersion = "1.0.2";

    public string OciVersion { get; init; } = CurrentVersion;

    public OciProcess? Process { get; init; }

    public OciRoot? Root { get; init; }

    public string? Hostname { get; init; }

    public IReadOnlyList<OciMount> Mounts { get; init; } = [];

    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    public OciLinux? Linux { get; init; }
}

public sealed record OciRoot(string Path, bool Readonly = false);

public sealed record OciProcess
{
    public bool Terminal { get; init; }

    public OciConsoleSize? ConsoleSize { get; init; }

    public OciUser User { get; init; } = new(0, 0);

    public IReadOnlyList<string> Args { get; init; } = [];

    public IReadOnlyList<string>? Env { get; init; }

    public string Cwd { get; init; } = "/";

    public OciCapabilities? Capabilities { get; init; }

    public IReadOnlyList<OciRlimit>? Rlimits { get; init; }

    public bool NoNewPrivileges { get; init; }

    public int? OomScoreAdj { get; init; }

    public string? ApparmorProfile { get; init; }
}

public sealed record OciConsoleSize(uint Height, uint Width);

public sealed record OciUser(uint Uid, uint Gid)
{
    public uint? Umask { get; init; }

    public IReadOnlyList<uint>? AdditionalGids { get; init; }
}

/// <summary>Capability sets; names carry the CAP_ prefix (CAP_CHOWN).</summary>
public sealed record OciCapabilities
{
    public IReadOnlyList<string>? Bounding { get; init; }

    public IReadOnlyList<string>? Effective { get; init; }

    public IReadOnlyList<string>? Permitted { get; init; }

    public IReadOnlyList<string>? Inheritable { get; init; }

    public IReadOnlyList<string>? Ambient { get; init; }
}

/// <summary>A POSIX rlimit; <c>type</c> is the RLIMIT_* name.</summary>
public sealed record OciRlimit(string Type, ulong Soft, ulong Hard);

public sealed record OciMount(string Destination, string? Type, string? Source, IReadOnlyList<string>? Options = null);
