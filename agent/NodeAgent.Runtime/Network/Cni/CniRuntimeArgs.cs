namespace NodeAgent.Runtime.Network.Cni;

/// <summary>
/// The per-invocation parameters of a CNI call (CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS).
/// An empty <paramref name="NetnsPath"/> tells DEL that the namespace is gone (the spec allows it).
/// </summary>
internal sealed record CniRuntimeArgs(string ContainerId, string NetnsPath, string InterfaceName, IReadOnlyList<KeyValuePair<string, string>> Args)
{
    /// <summary>CNI_ARGS: <c>KEY=VALUE</c> pairs separated by semicolons.</summary>
    public string FormatArgs() => string.Join(';', Args.Select(a => $"{a.Key}={a.Value}"));
}
