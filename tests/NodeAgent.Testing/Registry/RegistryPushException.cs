namespace NodeAgent.Testing.Registry;

/// <summary>skopeo could not copy an image into the test registry; the message carries its stderr.</summary>
public sealed class RegistryPushException : Exception
{
    public RegistryPushException()
    {
    }

    public RegistryPushException(string message)
        : base(message)
    {
    }

    public RegistryPushException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RegistryPushException(string message, int exitCode, string standardError)
        : base(message)
    {
        ExitCode = exitCode;
        StandardError = standardError;
    }

    public int ExitCode { get; }

    public string StandardError { get; } = string.Empty;
}
