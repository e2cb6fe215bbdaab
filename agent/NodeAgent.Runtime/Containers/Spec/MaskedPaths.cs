namespace NodeAgent.Runtime.Containers.Spec;

/// <summary>The /proc and /sys paths hidden or made read-only in unprivileged containers (containerd's defaults).</summary>
public static class MaskedPaths
{
    public static IReadOnlyList<string> DefaultMasked { get; } =
    [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ];

    public static IReadOnlyList<string> DefaultReadonly { get; } =
    [
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ];

    /// <summary>Privileged: none. Otherwise the CRI's lists, or the defaults when it sends none (kubelet always sends them).</summary>
    public static (IReadOnlyList<string>? Masked, IReadOnlyList<string>? Readonly) Build(IReadOnlyList<string> masked, IReadOnlyList<string> readOnly, bool privileged)
    {
        ArgumentNullException.ThrowIfNull(masked);
        ArgumentNullException.ThrowIfNull(readOnly);
        return privileged
            ? (null, null)
            : (masked.Count > 0 ? masked : DefaultMasked, readOnly.Count > 0 ? readOnly : DefaultReadonly);
    }
}
