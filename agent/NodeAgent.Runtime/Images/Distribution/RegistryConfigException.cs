using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Images.Distribution;

/// <summary>An invalid registries.yaml; the message starts with <c>file:line:column</c>.</summary>
public sealed class RegistryConfigException : RuntimeException
{
    public RegistryConfigException(string source, int line, int column, string reason, Exception? innerException = null)
        : base(RuntimeErrorKind.Invalid, $"{source}:{line}:{column}: {reason}", innerException)
    {
        Source = source;
        Line = line;
        Column = column;
    }

    public RegistryConfigException()
        : this("registries.yaml", 0, 0, "invalid registry configuration")
    {
    }

    public RegistryConfigException(string message)
        : base(RuntimeErrorKind.Invalid, message)
    {
        Source = string.Empty;
    }

    public RegistryConfigException(string message, Exception innerException)
        : base(RuntimeErrorKind.Invalid, message, innerException)
    {
        Source = string.Empty;
    }

    /// <summary>The file (or name) the YAML came from.</summary>
    public new string Source { get; }

    /// <summary>1-based line of the offending node.</summary>
    public int Line { get; }

    public int Column { get; }
}
