namespace NodeAgent.Api.Patching;

/// <summary>A patch that cannot be applied. <see cref="Path"/> is a JSON pointer or field path into the patch/document when known.</summary>
public sealed class PatchException : Exception
{
    public PatchException()
        : this(PatchErrorKind.Invalid, "invalid patch", null)
    {
    }

    public PatchException(string message)
        : this(PatchErrorKind.Invalid, message, null)
    {
    }

    public PatchException(string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = PatchErrorKind.Invalid;
    }

    public PatchException(PatchErrorKind kind, string message, string? path)
        : base(message)
    {
        Kind = kind;
        Path = path;
    }

    public PatchErrorKind Kind { get; }

    public string? Path { get; }

    internal static PatchException Invalid(string message, string? path = null) => new(PatchErrorKind.Invalid, message, path);
}
