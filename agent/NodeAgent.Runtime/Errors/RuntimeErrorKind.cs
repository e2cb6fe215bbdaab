namespace NodeAgent.Runtime.Errors;

/// <summary>Error categories, mapped once at the edge to gRPC status codes (and Kubernetes Status reasons).</summary>
public enum RuntimeErrorKind
{
    NotFound,
    AlreadyExists,
    Conflict,
    Invalid,
    FailedPrecondition,
    Unavailable,
    Unauthenticated,
    Internal,
}

/// <summary>A failure with a category; the message names the operation and the object.</summary>
public class RuntimeException : Exception
{
    public RuntimeException(RuntimeErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public RuntimeException()
        : this(RuntimeErrorKind.Internal, "runtime error")
    {
    }

    public RuntimeException(string message)
        : this(RuntimeErrorKind.Internal, message)
    {
    }

    public RuntimeException(string message, Exception innerException)
        : this(RuntimeErrorKind.Internal, message, innerException)
    {
    }

    public RuntimeErrorKind Kind { get; }
}
