using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Oci.Spec;

namespace NodeAgent.Runtime.Containers.Spec;

/// <summary>
/// The container's mounts: the standard Linux set, the sandbox's /dev/shm, hosts, resolv.conf and
/// hostname, then the CRI mounts (which replace a default at the same destination), ordered so a
/// parent is mounted before anything below it.
/// </summary>
public static class MountsBuilder
{
    private static readonly string[] NoSuidNoExecNoDev = ["nosuid", "noexec", "nodev"];

    public sealed record Result(IReadOnlyList<OciMount> Mounts, string? RootfsPropagation);

    public static Result Build(ContainerConfig config, SandboxFiles files, bool privileged, bool readonlyRootfs)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(files);
        var cri = config.Mounts.Select(ToOci).ToList();
        var overridden = cri.Select(m => Normalize(m.Mount.Destination)).ToHashSet(StringComparer.Ordinal);
        var mounts = Defaults(files, privileged, readonlyRootfs)
            .Where(m => !overridden.Contains(m.Destination))
            .Concat(cri.Select(m => m.Mount))
            .ToList();

        // Stable by depth: "/" components first, so /dev comes before /dev/shm and a CRI /data before /data/x.
        var ordered = mounts.Select((m, i) => (m, i)).OrderBy(x => Depth(x.m.Destination)).ThenBy(x => x.i).Select(x => x.m).ToArray();
        return new Result(ordered, RootfsPropagation(cri.Select(m => m.Propagation)));
    }

    /// <summary>The standard mounts, as containerd/runc's defaults; /sys and cgroups stay read-only unless privileged.</summary>
    public static IReadOnlyList<OciMount> Defaults(SandboxFiles files, bool privileged, bool readonlyRootfs)
    {
        ArgumentNullException.ThrowIfNull(files);
        var sysMode = privileged ? "rw" : "ro";
        var etcMode = readonlyRootfs ? "ro" : "rw";
        return
        [
            new("/proc", "proc", "proc", NoSuidNoExecNoDev),
            new("/dev", "tmpfs", "tmpfs", ["nosuid", "strictatime", "mode=755", "size=65536k"]),
            new("/dev/pts", "devpts", "devpts", ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
            new("/dev/mqueue", "mqueue", "mqueue", NoSuidNoExecNoDev),
            new("/sys", "sysfs", "sysfs", [.. NoSuidNoExecNoDev, sysMode]),
            new("/sys/fs/cgroup", "cgroup", "cgroup", [.. NoSuidNoExecNoDev, "relatime", sysMode]),
            new("/dev/shm", "bind", files.ShmPath, ["rbind", "rprivate", "nosuid", "nodev", "noexec", "rw"]),
            new("/etc/hosts", "bind", files.HostsPath, ["rbind", "rprivate", etcMode]),
            new("/etc/resolv.conf", "bind", files.ResolvConfPath, ["rbind", "rprivate", etcMode]),
            new("/etc/hostname", "bind", files.HostnamePath, ["rbind", "rprivate", etcMode]),
        ];
    }

    private static (OciMount Mount, MountPropagation Propagation) ToOci(Mount mount)
    {
        if (mount.Image is not null && !string.IsNullOrEmpty(mount.Image.Image))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"mount {mount.ContainerPath}: image volumes are not supported");
        }

        if (!mount.ContainerPath.StartsWith('/') || !mount.HostPath.StartsWith('/'))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"mount {mount.HostPath} → {mount.ContainerPath}: both paths must be absolute");
        }

        if (mount.UidMappings.Count > 0 || mount.GidMappings.Count > 0)
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"mount {mount.ContainerPath}: id-mapped mounts are not supported");
        }

        var propagation = mount.Propagation switch
        {
            MountPropagation.PropagationHostToContainer => "rslave",
            MountPropagation.PropagationBidirectional => "rshared",
            _ => "rprivate",
        };
        var options = new List<string> { "rbind", propagation, mount.Readonly ? "ro" : "rw" };
        if (mount.RecursiveReadOnly)
        {
            if (!mount.Readonly || mount.Propagation != MountPropagation.PropagationPrivate)
            {
                throw new RuntimeException(RuntimeErrorKind.Invalid, $"mount {mount.ContainerPath}: recursive_read_only needs readonly and private propagation");
            }

            options.Add("rro");
        }

        // selinux_relabel is ignored: this node has no SELinux.
        return (new OciMount(Normalize(mount.ContainerPath), "bind", mount.HostPath, options), mount.Propagation);
    }

    /// <summary>
    /// A mount can only receive (rslave) or share (rshared) events if the container's root mount does,
    /// so the root propagation is raised to the strongest any mount asks for (as containerd does).
    /// </summary>
    private static string? RootfsPropagation(IEnumerable<MountPropagation> propagations)
    {
        var list = propagations.ToList();
        return list.Contains(MountPropagation.PropagationBidirectional) ? "rshared"
            : list.Contains(MountPropagation.PropagationHostToContainer) ? "rslave"
            : null;
    }

    private static string Normalize(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts.Any(p => p is "." or ".."))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"mount destination \"{path}\" is the root or has '.' or '..' components");
        }

        return "/" + string.Join('/', parts);
    }

    private static int Depth(string destination) => destination.Count(c => c == '/');
}
