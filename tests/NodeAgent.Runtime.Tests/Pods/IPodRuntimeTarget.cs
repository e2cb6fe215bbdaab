using NodeAgent.Cri;

namespace NodeAgent.Runtime.Tests.Pods;

/// <summary>A CRI runtime that runs pods (ours or containerd), with a busybox image already pulled.</summary>
public interface IPodRuntimeTarget
{
    CriClient Client { get; }

    /// <summary>Names every host object the target's tests create (bridge, cgroups, dirs).</summary>
    string Prefix { get; }

    /// <summary>Where the scenarios put pod log directories.</summary>
    string LogRoot { get; }

    string BusyboxImage { get; }

    /// <summary>The pod subnet, so tests can check the addresses they get.</summary>
    System.Net.IPNetwork PodSubnet { get; }

    /// <summary>
    /// Whether unified["pids.max"] limits pids on this host. Ours maps it to the OCI pids limit on
    /// either cgroup version; containerd 1.6 passes unified through, which runc refuses on cgroup v1.
    /// </summary>
    bool LimitsPidsThroughUnified { get; }
}
