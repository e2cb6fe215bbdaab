using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Images;

/// <summary>An image reference that does not follow the distribution reference grammar; the message says why.</summary>
public sealed class ImageReferenceFormatException : FormatException, ICategorizedError
{
    public ImageReferenceFormatException(string? reference, string reason)
        : base($"invalid image reference \"{reference}\": {reason}")
    {
        Reference = reference;
        Reason = reason;
    }

    public ImageReferenceFormatException()
        : this(null, "invalid image reference")
    {
    }

    public ImageReferenceFormatException(string message)
        : base(message)
    {
        Reason = message;
    }

    public ImageReferenceFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    public string? Reference { get; }

    public string Reason { get; }

    public RuntimeErrorKind Kind => RuntimeErrorKind.Invalid;
}
