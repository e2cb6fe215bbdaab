namespace NodeAgent.Node.Volumes;

/// <summary>A volume could not be set up (kubelet's FailedMount): the pod waits in ContainerCreating and retries.</summary>
public sealed class VolumeException : Exception
{
    public VolumeException()
    {
    }

    public VolumeException(string message)
        : base(message)
    {
    }

    public VolumeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
