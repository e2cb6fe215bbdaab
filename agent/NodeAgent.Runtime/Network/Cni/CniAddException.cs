using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Network.Cni;

/// <summary>ADD of a network list failed at plugin <see cref="PluginsAdded"/> (the ones before it succeeded).</summary>
internal sealed class CniAddException : RuntimeException
{
    public CniAddException(int pluginsAdded, RuntimeException innerException)
        : base(innerException?.Kind ?? RuntimeErrorKind.Internal, innerException?.Message ?? "CNI ADD failed", innerException)
    {
        PluginsAdded = pluginsAdded;
    }

    public CniAddException()
    {
    }

    public CniAddException(string message)
        : base(message)
    {
    }

    public CniAddException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int PluginsAdded { get; }
}
