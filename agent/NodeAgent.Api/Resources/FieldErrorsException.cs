namespace NodeAgent.Api.Resources;

/// <summary>
/// Thrown by an <see cref="IAsyncAdmission"/> step that rejects the object (a requested clusterIP or nodePort
/// that is taken or out of range); the REST handlers answer it like a validation failure: 422 Invalid with
/// one cause per error.
/// </summary>
public sealed class FieldErrorsException : Exception
{
    public FieldErrorsException()
        : this([])
    {
    }

    public FieldErrorsException(string message)
        : base(message)
    {
        Errors = [];
    }

    public FieldErrorsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    public FieldErrorsException(IReadOnlyList<FieldError> errors)
        : base(string.Join("; ", errors?.Select(e => $"{e.Field}: {e.Message}") ?? []))
    {
        Errors = errors ?? [];
    }

    public IReadOnlyList<FieldError> Errors { get; }
}
