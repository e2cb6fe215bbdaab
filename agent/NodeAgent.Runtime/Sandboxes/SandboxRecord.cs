using Google.Protobuf;
using NodeAgent.Cri.V1;

namespace NodeAgent.Runtime.Sandboxes;

public enum SandboxState
{
    /// <summary>Being set up; a record left in this state after a crash is torn down at start.</summary>
    Creating,
    Ready,
    NotReady,
}

/// <summary>What the runtime keeps on disk about a pod sandbox (the CRI config verbatim, plus what it set up).</summary>
public sealed record SandboxRecord
{
    public required string Id { get; init; }

    /// <summary>The PodSandboxConfig as protobuf bytes: containers are built against it later, also after a restart.</summary>
    public required byte[] Config { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public SandboxState State { get; init; }

    public string RuntimeHandler { get; init; } = string.Empty;

    public bool HostNetwork { get; init; }

    public string? NetnsPath { get; init; }

    public IReadOnlyList<string> Ips { get; init; } = [];

    /// <summary>catatonit's pid; 0 for a sandbox whose IPC/UTS namespaces are pinned instead (see <see cref="NamespacePins"/>).</summary>
    public int InfraPid { get; init; }

    /// <summary>The pinned IPC namespace of a sandbox without an infra process.</summary>
    public string? IpcNamespacePath { get; init; }

    /// <summary>The pinned UTS namespace of a sandbox without an infra process.</summary>
    public string? UtsNamespacePath { get; init; }

    public PinnedNamespaces Pins => new(IpcNamespacePath, UtsNamespacePath);

    public bool HasPins => IpcNamespacePath is not null || UtsNamespacePath is not null;

    public string CgroupParent { get; init; } = string.Empty;

    public string? ShmPath { get; init; }

    public PodSandboxConfig ParseConfig() => PodSandboxConfig.Parser.ParseFrom(Config);

    public static byte[] Serialize(IMessage config) => config.ToByteArray();
}
