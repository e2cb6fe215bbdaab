namespace NodeAgent.Node.Streams;

/// <summary>A log or session request the node cannot serve (the container has no logs yet, is not running, …); kubelet's wording, a 400 at the API.</summary>
public sealed class PodStreamException : Exception
{
    public PodStreamException()
    {
    }

    public PodStreamException(string message)
        : base(message)
    {
    }

    public PodStreamException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
