namespace NodeAgent.Node.Eviction;

/// <summary>kubelet's eviction signals (the names users write in --eviction-hard) and what each one starves.</summary>
public static class EvictionSignal
{
    public const string MemoryAvailable = "memory.available";
    public const string NodeFsAvailable = "nodefs.available";
    public const string NodeFsInodesFree = "nodefs.inodesFree";
    public const string ImageFsAvailable = "imagefs.available";
    public const string ImageFsInodesFree = "imagefs.inodesFree";
    public const string PidAvailable = "pid.available";

    public static readonly IReadOnlyList<string> All = [MemoryAvailable, NodeFsAvailable, NodeFsInodesFree, ImageFsAvailable, ImageFsInodesFree, PidAvailable];

    /// <summary>The node condition a signal drives (kubelet's signalToNodeCondition).</summary>
    public static string NodeCondition(string signal) => signal switch
    {
        MemoryAvailable => NodePressure.MemoryPressure,
        PidAvailable => NodePressure.PidPressure,
        _ => NodePressure.DiskPressure,
    };

    /// <summary>The resource named in the eviction message (kubelet's signalToResource): memory, ephemeral-storage, inodes, pids.</summary>
    public static string Resource(string signal) => signal switch
    {
        MemoryAvailable => "memory",
        NodeFsAvailable or ImageFsAvailable => "ephemeral-storage",
        NodeFsInodesFree or ImageFsInodesFree => "inodes",
        PidAvailable => "pids",
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "unknown eviction signal"),
    };

    /// <summary>Signals measured in bytes print as binary quantities (100Mi); inode and pid counts as decimal ones.</summary>
    public static bool IsBytes(string signal) => signal is MemoryAvailable or NodeFsAvailable or ImageFsAvailable;
}

/// <summary>The three pressure conditions, their taints and kubelet's reasons/messages for each state.</summary>
public static class NodePressure
{
    public const string MemoryPressure = "MemoryPressure";
    public const string DiskPressure = "DiskPressure";
    public const string PidPressure = "PIDPressure";

    public static readonly IReadOnlyList<string> Conditions = [MemoryPressure, DiskPressure, PidPressure];

    /// <summary>The NoSchedule taint that keeps new pods off a node under this pressure (TaintNodesByCondition).</summary>
    public static string Taint(string condition) => condition switch
    {
        MemoryPressure => "node.kubernetes.io/memory-pressure",
        DiskPressure => "node.kubernetes.io/disk-pressure",
        PidPressure => "node.kubernetes.io/pid-pressure",
        _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, "not a pressure condition"),
    };

    public static (string Reason, string Message) Text(string condition, bool pressure) => (condition, pressure) switch
    {
        (MemoryPressure, true) => ("KubeletHasInsufficientMemory", "kubelet has insufficient memory available"),
        (MemoryPressure, false) => ("KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        (DiskPressure, true) => ("KubeletHasDiskPressure", "kubelet has disk pressure"),
        (DiskPressure, false) => ("KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        (PidPressure, true) => ("KubeletHasInsufficientPID", "kubelet has insufficient PID available"),
        (PidPressure, false) => ("KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, "not a pressure condition"),
    };
}
