using NodeAgent.Runtime.Oci.Spec;

namespace NodeAgent.Runtime.Containers.Spec;

/// <summary>
/// Default rlimits, never above the agent's own hard limit: runc (unprivileged for rlimits here, since root
/// lacks CAP_SYS_RESOURCE) fails to start a container that asks for more.
/// </summary>
public static class Rlimits
{
    /// <summary>What containers get where the host allows it (Docker's and CRI-O's usual nofile).</summary>
    public static IReadOnlyList<OciRlimit> Desired { get; } = [new("RLIMIT_NOFILE", 1048576, 1048576)];

    public static IReadOnlyList<OciRlimit> Build(ISpecHost host) => Clamp(Desired, host);

    public static IReadOnlyList<OciRlimit> Clamp(IEnumerable<OciRlimit> limits, ISpecHost host)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(host);
        return
        [
            .. limits.Select(limit =>
            {
                var hard = host.HardLimit(limit.Type) is { } max ? Math.Min(limit.Hard, max) : limit.Hard;
                return limit with { Hard = hard, Soft = Math.Min(limit.Soft, hard) };
            }),
        ];
    }
}
