namespace NodeAgent.Node.Pods;

/// <summary>
/// A container cannot be configured (a missing ConfigMap/Secret key, a non-root violation …). The reason is the
/// waiting reason kubelet reports (CreateContainerConfigError); the message is kubelet's wording.
/// </summary>
public sealed class ContainerConfigException : Exception
{
    public ContainerConfigException()
        : this("container config error")
    {
    }

    public ContainerConfigException(string message)
        : this(message, null)
    {
    }

    public ContainerConfigException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public string Reason { get; init; } = "CreateContainerConfigError";
}
