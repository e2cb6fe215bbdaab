using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Containers.Spec;

/// <summary>
/// Pod sysctls are set once, by the infra process that owns the namespaces: only namespaced ones are
/// allowed (net.* needs the pod's netns, the IPC ones its ipc namespace); anything else would change the node.
/// </summary>
public static class Sysctls
{
    private static readonly string[] IpcNames = ["kernel.shmmax", "kernel.shmall", "kernel.shmmni", "kernel.shm_rmid_forced", "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem"];

    public static IReadOnlyDictionary<string, string>? Validate(IDictionary<string, string>? sysctls, bool hostNetwork, bool hostIpc)
    {
        if (sysctls is null || sysctls.Count == 0)
        {
            return null;
        }

        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (rawName, value) in sysctls)
        {
            // Kubernetes allows '/' as the separator too (net/ipv4/ip_forward).
            var name = rawName.Replace('/', '.');
            var ipc = IpcNames.Contains(name) || name.StartsWith("fs.mqueue.", StringComparison.Ordinal);
            var net = name.StartsWith("net.", StringComparison.Ordinal);
            if (!ipc && !net)
            {
                throw Invalid(rawName, "is not a namespaced sysctl");
            }

            if (net && hostNetwork)
            {
                throw Invalid(rawName, "would change the node: the pod uses the host network");
            }

            if (ipc && hostIpc)
            {
                throw Invalid(rawName, "would change the node: the pod uses the host IPC namespace");
            }

            result[name] = value;
        }

        return result;
    }

    private static RuntimeException Invalid(string name, string why) => new(RuntimeErrorKind.Invalid, $"sysctl {name} {why}");
}
