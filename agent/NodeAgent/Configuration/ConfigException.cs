namespace NodeAgent.Configuration;

/// <summary>Bad configuration input. The message is one line naming the culprit; the CLI exits with 2.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string message)
        : base(message)
    {
    }

    public ConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ConfigException()
    {
    }
}
