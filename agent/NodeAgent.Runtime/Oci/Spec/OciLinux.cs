namespace NodeAgent.Runtime.Oci.Spec;

/// <summary>The <c>linux</c> object of config.json (config-linux.md).</summary>
public sealed record OciLinux
{
    public IReadOnlyList<OciNamespace> Namespaces { get; init; } = [];

    public IReadOnlyList<OciDevice>? Devices { get; init; }

    public OciResources? Resources { get; init; }

    public string? CgroupsPath { get; init; }

    public IReadOnlyDictionary<string, string>? Sysctl { get; init; }

    public OciSeccomp? Seccomp { get; init; }

    public IReadOnlyList<string>? MaskedPaths { get; init; }

    public IReadOnlyList<string>? ReadonlyPaths { get; init; }

    /// <summary>private, rprivate, slave, rslave, shared, rshared, unbindable, runbindable.</summary>
    public string? RootfsPropagation { get; init; }
}

/// <summary>Namespace types as the spec spells them.</summary>
public static class OciNamespaceType
{
    public const string Pid = "pid";
    public const string Network = "network";
    public const string Mount = "mount";
    public const string Ipc = "ipc";
    public const string Uts = "uts";
    public const string User = "user";
    public const string Cgroup = "cgroup";
}

/// <summary>A namespace to create (no path) or to join (path of a /proc/PID/ns/* file or a bind mount of one).</summary>
public sealed record OciNamespace(string Type, string? Path = null);

/// <summary>A device node runc creates inside the container (type c, b, u or p).</summary>
public sealed record OciDevice(string Type, string Path, long Major, long Minor)
{
    public uint? FileMode { get; init; }

    public uint? Uid { get; init; }

    public uint? Gid { get; init; }
}

public sealed record OciResources
{
    public IReadOnlyList<OciDeviceCgroup>? Devices { get; init; }

    public OciMemory? Memory { get; init; }

    public OciCpu? Cpu { get; init; }

    public OciPids? Pids { get; init; }

    public IReadOnlyList<OciHugepageLimit>? HugepageLimits { get; init; }

    /// <summary>Raw cgroup v2 files (runc refuses it on a v1 host, so callers only set it under v2).</summary>
    public IReadOnlyDictionary<string, string>? Unified { get; init; }
}

/// <summary>A device cgroup rule: type a (all), c or b; null major/minor mean any (*).</summary>
public sealed record OciDeviceCgroup(bool Allow, string? Type = null, long? Major = null, long? Minor = null, string? Access = null);

public sealed record OciMemory
{
    public long? Limit { get; init; }

    public long? Reservation { get; init; }

    public long? Swap { get; init; }
}

public sealed record OciCpu
{
    public ulong? Shares { get; init; }

    public long? Quota { get; init; }

    public ulong? Period { get; init; }

    public string? Cpus { get; init; }

    public string? Mems { get; init; }
}

public sealed record OciPids(long Limit);

public sealed record OciHugepageLimit(string PageSize, ulong Limit);

public sealed record OciSeccomp
{
    public string DefaultAction { get; init; } = "SCMP_ACT_ERRNO";

    public uint? DefaultErrnoRet { get; init; }

    public IReadOnlyList<string>? Architectures { get; init; }

    public IReadOnlyList<string>? Flags { get; init; }

    public IReadOnlyList<OciSyscall>? Syscalls { get; init; }
}

public sealed record OciSyscall
{
    public IReadOnlyList<string> Names { get; init; } = [];

    public string Action { get; init; } = "SCMP_ACT_ALLOW";

    public uint? ErrnoRet { get; init; }

    public IReadOnlyList<OciSyscallArg>? Args { get; init; }
}

/// <summary>A seccomp argument condition; op is SCMP_CMP_NE, _LT, _LE, _EQ, _GE, _GT or _MASKED_EQ.</summary>
public sealed record OciSyscallArg(uint Index, ulong Value, string Op)
{
    public ulong? ValueTwo { get; init; }
}
