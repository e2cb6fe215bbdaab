using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Oci.Spec;

namespace NodeAgent.Runtime.Containers.Spec;

/// <summary>Device nodes and the device cgroup: deny all, allow the standard char devices and the CRI's devices; privileged gets every host device.</summary>
public static class DevicesBuilder
{
    public sealed record Result(IReadOnlyList<OciDevice> Devices, IReadOnlyList<OciDeviceCgroup> Rules);

    /// <summary>The rules containerd applies to every unprivileged container (runc creates these nodes itself).</summary>
    public static IReadOnlyList<OciDeviceCgroup> DefaultRules { get; } =
    [
        new(false, Access: "rwm"),
        new(true, "c", null, null, "m"), // mknod of char and block devices; using them still needs an allow rule
        new(true, "b", null, null, "m"),
        new(true, "c", 1, 3, "rwm"), // /dev/null
        new(true, "c", 1, 5, "rwm"), // /dev/zero
        new(true, "c", 1, 7, "rwm"), // /dev/full
        new(true, "c", 1, 8, "rwm"), // /dev/random
        new(true, "c", 1, 9, "rwm"), // /dev/urandom
        new(true, "c", 5, 0, "rwm"), // /dev/tty
        new(true, "c", 5, 1, "rwm"), // /dev/console
        new(true, "c", 5, 2, "rwm"), // /dev/ptmx
        new(true, "c", 136, null, "rwm"), // /dev/pts/*
    ];

    public static Result Build(ContainerConfig config, bool privileged, ISpecHost host)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(host);
        var devices = new List<OciDevice>();
        var rules = new List<OciDeviceCgroup>();
        if (privileged)
        {
            devices.AddRange(host.AllDevices());
            rules.Add(new OciDeviceCgroup(true, Access: "rwm"));
        }
        else
        {
            rules.AddRange(DefaultRules);
        }

        foreach (var requested in config.Devices)
        {
            var device = host.Device(requested.HostPath)
                ?? throw new RuntimeException(RuntimeErrorKind.Invalid, $"device {requested.HostPath}: not a character or block device on this host");
            var path = string.IsNullOrEmpty(requested.ContainerPath) ? requested.HostPath : requested.ContainerPath;
            devices.RemoveAll(d => d.Path == path);
            devices.Add(device with { Path = path });
            if (!privileged)
            {
                rules.Add(new OciDeviceCgroup(true, device.Type, device.Major, device.Minor, Access(requested.Permissions, requested.HostPath)));
            }
        }

        return new Result(devices, rules);
    }

    /// <summary>CRI permissions are some of r, w, m; empty means all (as kubelet's device plugins expect).</summary>
    private static string Access(string permissions, string device)
    {
        if (string.IsNullOrEmpty(permissions))
        {
            return "rwm";
        }

        if (permissions.Any(c => c is not ('r' or 'w' or 'm')))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"device {device}: invalid permissions \"{permissions}\" (allowed: r, w, m)");
        }

        return new string([.. "rwm".Where(permissions.Contains)]);
    }
}
