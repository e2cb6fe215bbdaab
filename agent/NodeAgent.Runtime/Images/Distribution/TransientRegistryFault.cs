namespace NodeAgent.Runtime.Images.Distribution;

/// <summary>A fault worth another try (5xx, 429, 408, timeouts); becomes Unavailable once the tries run out.</summary>
internal sealed class TransientRegistryFault : Exception
{
    public TransientRegistryFault(string message, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        RetryAfter = retryAfter;
    }

    public TransientRegistryFault()
    {
    }

    public TransientRegistryFault(string message)
        : base(message)
    {
    }

    public TransientRegistryFault(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The server's <c>Retry-After</c>, if it sent one.</summary>
    public TimeSpan? RetryAfter { get; }
}
