using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Oci.Spec;

namespace NodeAgent.Runtime.Containers.Spec;

/// <summary>Capability sets from the CRI: containerd's default set, "ALL", names with or without CAP_.</summary>
public static class Capabilities
{
    /// <summary>Every capability up to CAP_CHECKPOINT_RESTORE (40), in kernel order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
        "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    /// <summary>containerd's (and Docker's) default 14 capabilities.</summary>
    public static IReadOnlyList<string> Default { get; } =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    /// <summary>
    /// "ALL" in add starts from every capability, "ALL" in drop from none; then the named adds and drops
    /// apply (containerd's order). Inheritable holds only the ambient capabilities, so programs cannot
    /// regain others through file capabilities (CVE-2022-24769). Ambient capabilities are also added to the
    /// other sets, as the kernel requires.
    /// "All" (privileged, ALL) means all that the agent itself holds, as containerd does: runc fails to
    /// apply a capability outside its own bounding set; one named explicitly is refused with a clear error.
    /// </summary>
    public static OciCapabilities Build(Capability? requested, bool privileged, IReadOnlyCollection<string> host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var available = All.Where(host.Contains).ToList();
        var set = new List<string>(privileged ? available : Default.Where(host.Contains));
        var ambient = new List<string>();
        if (!privileged && requested is not null)
        {
            var add = requested.AddCapabilities.Select(Normalize).ToList();
            var drop = requested.DropCapabilities.Select(Normalize).ToList();
            if (add.Contains("ALL"))
            {
                set = [.. available];
            }

            if (drop.Contains("ALL"))
            {
                set.Clear();
            }

            var named = add.Where(c => c != "ALL").ToList();
            if (named.Concat(requested.AddAmbientCapabilities.Select(Normalize)).FirstOrDefault(c => c != "ALL" && !host.Contains(c)) is { } missing)
            {
                throw new RuntimeException(RuntimeErrorKind.FailedPrecondition, $"capability {missing} was requested but the runtime itself does not hold it on this node");
            }

            AddAll(set, named);
            set.RemoveAll(c => drop.Contains(c));
            ambient.AddRange(requested.AddAmbientCapabilities.Select(Normalize).Where(c => c != "ALL").Distinct());
            AddAll(set, ambient);
        }

        IReadOnlyList<string> final = [.. set];
        // The kernel raises an ambient capability only when it is also inheritable, so exactly those become inheritable.
        IReadOnlyList<string>? ambientSet = ambient.Count == 0 ? null : ambient;
        return new OciCapabilities { Bounding = final, Effective = final, Permitted = final, Inheritable = ambientSet, Ambient = ambientSet };
    }

    /// <summary>Upper case with a CAP_ prefix; "ALL" stays "ALL"; unknown names are Invalid.</summary>
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var upper = name.Trim().ToUpperInvariant();
        if (upper == "ALL")
        {
            return upper;
        }

        var full = upper.StartsWith("CAP_", StringComparison.Ordinal) ? upper : "CAP_" + upper;
        return All.Contains(full)
            ? full
            : throw new RuntimeException(RuntimeErrorKind.Invalid, $"unknown capability \"{name}\"");
    }

    private static void AddAll(List<string> set, IEnumerable<string> capabilities)
    {
        foreach (var capability in capabilities)
        {
            if (!set.Contains(capability))
            {
                set.Add(capability);
            }
        }
    }
}
