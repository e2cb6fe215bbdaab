namespace NodeAgent.Node.Pods;

/// <summary>The label and annotation keys kubelet puts on CRI objects, so crictl and tools see the same names.</summary>
public static class PodLabels
{
    public const string PodName = "io.kubernetes.pod.name";
    public const string PodNamespace = "io.kubernetes.pod.namespace";
    public const string PodUid = "io.kubernetes.pod.uid";
    public const string ContainerName = "io.kubernetes.container.name";
    public const string RestartCount = "io.kubernetes.container.restartCount";
    public const string TerminationMessagePath = "io.kubernetes.container.terminationMessagePath";
    public const string TerminationGracePeriod = "io.kubernetes.pod.terminationGracePeriod";
    public const string ContainerKind = "io.kubernetes.container.kind";
}
