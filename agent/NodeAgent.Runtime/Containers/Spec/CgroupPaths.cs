using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Containers.Spec;

/// <summary>
/// cgroupfs-driver paths (relative to each hierarchy's root, as runc's cgroupsPath expects):
/// the pod parent from the CRI, or /nodeagent/&lt;sandboxId&gt;; each sandbox/container below it by id.
/// </summary>
public static class CgroupPaths
{
    public const string DefaultRoot = "/nodeagent";

    /// <summary>The pod's cgroup parent: LinuxPodSandboxConfig.cgroup_parent, or /nodeagent/&lt;sandboxId&gt; when empty.</summary>
    public static string PodParent(PodSandboxConfig config, string sandboxId)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrEmpty(sandboxId);
        var requested = config.Linux?.CgroupParent;
        return string.IsNullOrEmpty(requested)
            ? Validate($"{DefaultRoot}/{ValidateId(sandboxId)}")
            : Validate(requested.Length > 1 ? requested.TrimEnd('/') : requested);
    }

    /// <summary>The cgroup of one container (or the sandbox's infra process) under the pod parent.</summary>
    public static string ForContainer(string podParent, string containerId)
        => Validate($"{Validate(podParent).TrimEnd('/')}/{ValidateId(containerId)}");

    /// <summary>
    /// Accepts only absolute cgroupfs paths without ".", "..", empty components or control characters;
    /// systemd slice names ("kubepods.slice:cri:id") are refused since only the cgroupfs driver is supported.
    /// </summary>
    public static string Validate(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!path.StartsWith('/'))
        {
            throw Invalid(path, "must be absolute (cgroupfs driver; systemd slices are not supported)");
        }

        if (path.Any(char.IsControl) || path.Contains(':', StringComparison.Ordinal))
        {
            throw Invalid(path, "contains a control character or ':'");
        }

        if (path == "/")
        {
            throw Invalid(path, "is the root cgroup");
        }

        foreach (var part in path[1..].Split('/'))
        {
            if (part.Length == 0 || part == "." || part == "..")
            {
                throw Invalid(path, "has an empty, '.' or '..' component");
            }
        }

        return path;
    }

    private static string ValidateId(string id)
    {
        if (id.Length == 0 || id.Contains('/', StringComparison.Ordinal) || id == "." || id == ".." || id.Any(char.IsControl))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"invalid id for a cgroup name: \"{id}\"");
        }

        return id;
    }

    private static RuntimeException Invalid(string path, string why)
        => new(RuntimeErrorKind.Invalid, $"invalid cgroup path \"{path}\": {why}");
}
