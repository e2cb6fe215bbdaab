namespace NodeAgent.Api.Resources;

/// <summary>
/// Thrown by an <see cref="IAsyncAdmission"/> step that refuses the object outright (upstream's admission plugins
/// answer such refusals 403): the REST handlers answer <c>KIND "NAME" is forbidden: MESSAGE</c>.
/// </summary>
public sealed class AdmissionForbiddenException : Exception
{
    public AdmissionForbiddenException()
    {
    }

    public AdmissionForbiddenException(string message)
        : base(message)
    {
    }

    public AdmissionForbiddenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
