using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Images.Distribution;

/// <summary>
/// A registry operation that failed, categorised for the CRI edge: NotFound (404 everywhere asked),
/// Unauthenticated (credentials missing or rejected, access denied), Invalid (digest mismatch,
/// malformed or unsupported documents) or Unavailable (transient faults that outlasted the retries).
/// </summary>
public sealed class RegistryException : RuntimeException
{
    public RegistryException(RuntimeErrorKind kind, string registry, string message, Exception? innerException = null)
        : base(kind, message, innerException)
    {
        Registry = registry;
    }

    public RegistryException()
        : this(RuntimeErrorKind.Internal, string.Empty, "registry error")
    {
    }

    public RegistryException(string message)
        : this(RuntimeErrorKind.Internal, string.Empty, message)
    {
    }

    public RegistryException(string message, Exception innerException)
        : this(RuntimeErrorKind.Internal, string.Empty, message, innerException)
    {
    }

    /// <summary>The host[:port] actually asked (a mirror's, when one served the reference).</summary>
    public string Registry { get; }
}
