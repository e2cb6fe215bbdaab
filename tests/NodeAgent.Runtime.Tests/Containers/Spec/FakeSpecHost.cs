using NodeAgent.Runtime.Containers.Spec;
using NodeAgent.Runtime.Oci.Spec;

namespace NodeAgent.Runtime.Tests.Containers.Spec;

/// <summary>A fixed host for deterministic specs: this machine's hard nofile (20000), cgroup v1, two devices.</summary>
internal sealed record FakeSpecHost : ISpecHost
{
    public IReadOnlyDictionary<string, ulong> HardLimits { get; init; } = new Dictionary<string, ulong> { ["RLIMIT_NOFILE"] = 20000 };

    public int OwnOomScoreAdj { get; init; }

    public bool IsCgroupV2 { get; init; }

    public bool SwapLimitSupported { get; init; } = true;

    public string HostName { get; init; } = "node-1";

    /// <summary>Like this machine's root: everything but CAP_SYS_RESOURCE.</summary>
    public IReadOnlyCollection<string> BoundingCapabilities { get; init; } = [.. Capabilities.All.Where(c => c != "CAP_SYS_RESOURCE")];

    public IReadOnlyList<OciDevice> Devices { get; init; } =
    [
        new("c", "/dev/fuse", 10, 229) { FileMode = 0x1B6, Uid = 0, Gid = 0 },
        new("b", "/dev/loop0", 7, 0) { FileMode = 0x1B0, Uid = 0, Gid = 6 },
    ];

    public ulong? HardLimit(string rlimitType) => HardLimits.TryGetValue(rlimitType, out var value) ? value : null;

    public OciDevice? Device(string hostPath) => Devices.FirstOrDefault(d => d.Path == hostPath);

    public IReadOnlyList<OciDevice> AllDevices() => Devices;
}
