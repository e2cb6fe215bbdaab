using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Network.Cni;

/// <summary>A CNI plugin reported an error (exit code non-zero, error JSON on stdout) or could not be run.</summary>
public sealed class CniPluginException : RuntimeException
{
    public CniPluginException(string command, string plugin, string containerId, int code, string msg, string? details, Exception? innerException = null)
        : base(KindFor(code), FormatMessage(command, plugin, containerId, code, msg, details), innerException)
    {
        Command = command;
        Plugin = plugin;
        ContainerId = containerId;
        Code = code;
        Msg = msg;
        Details = details;
    }

    public CniPluginException()
        : this("?", "?", "?", 0, "CNI plugin error", null)
    {
    }

    public CniPluginException(string message)
        : this("?", "?", "?", 0, message, null)
    {
    }

    public CniPluginException(string message, Exception innerException)
        : this("?", "?", "?", 0, message, null, innerException)
    {
    }

    public string Command { get; }

    public string Plugin { get; }

    public string ContainerId { get; }

    /// <summary>The CNI error code (<see cref="CniErrorCode"/>); 0 when the plugin printed no error JSON.</summary>
    public int Code { get; }

    public string Msg { get; }

    public string? Details { get; }

    /// <summary>
    /// DEL treats these as success: the spec's "container unknown" code, and plugins that report
    /// an already-removed resource in words only.
    /// </summary>
    public bool IsNotFound
        => Code == CniErrorCode.UnknownContainer
            || Msg.Contains("not found", StringComparison.OrdinalIgnoreCase)
            || Msg.Contains("no such", StringComparison.OrdinalIgnoreCase)
            || Msg.Contains("does not exist", StringComparison.OrdinalIgnoreCase);

    private static RuntimeErrorKind KindFor(int code) => code switch
    {
        CniErrorCode.IncompatibleVersion or CniErrorCode.UnsupportedField or CniErrorCode.InvalidEnvironment
            or CniErrorCode.DecodeFailure or CniErrorCode.InvalidNetworkConfig => RuntimeErrorKind.Invalid,
        CniErrorCode.UnknownContainer => RuntimeErrorKind.NotFound,
        CniErrorCode.TryAgainLater => RuntimeErrorKind.Unavailable,
        _ => RuntimeErrorKind.Internal,
    };

    private static string FormatMessage(string command, string plugin, string containerId, int code, string msg, string? details)
    {
        var text = $"CNI {command} of plugin {plugin} for {containerId} failed";
        text += code == 0 ? $": {msg}" : $" (code {code}): {msg}";
        return string.IsNullOrWhiteSpace(details) ? text : $"{text}; {details}";
    }
}
