using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace NodeAgent.Cri;

/// <summary>
/// A CRI endpoint: a unix domain socket given as <c>unix:///absolute/path</c>, the form kubelet's
/// <c>--container-runtime-endpoint</c> and crictl use. Only unix sockets are accepted: CRI over TCP
/// is unauthenticated and not something a node should expose.
/// </summary>
public sealed record CriEndpoint
{
    /// <summary>The only accepted scheme, including the authority separator.</summary>
    public const string UnixScheme = "unix://";

    /// <summary>
    /// Longest socket path in bytes: Linux's <c>sockaddr_un.sun_path</c> is 108 bytes including
    /// the terminating NUL. Checked here so the error names the endpoint instead of failing at connect.
    /// </summary>
    public const int MaxSocketPathBytes = 107;

    private CriEndpoint(string socketPath) => SocketPath = socketPath;

    /// <summary>Absolute path of the socket file, e.g. <c>/run/containerd/containerd.sock</c>.</summary>
    public string SocketPath { get; }

    /// <summary>Parses <paramref name="value"/>; throws <see cref="FormatException"/> naming it when invalid.</summary>
    public static CriEndpoint Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return TryParse(value, out var endpoint, out var error)
            ? endpoint
            : throw new FormatException($"Invalid CRI endpoint '{value}': {error}");
    }

    /// <summary>Parses <paramref name="value"/> without throwing.</summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out CriEndpoint? endpoint)
        => TryParse(value, out endpoint, out _);

    /// <summary>The endpoint in its canonical <c>unix://</c> form.</summary>
    public override string ToString() => UnixScheme + SocketPath;

    /// <summary>Parses <paramref name="value"/> without throwing; <paramref name="error"/> says why it is invalid.</summary>
    public static bool TryParse(
        string? value,
        [NotNullWhen(true)] out CriEndpoint? endpoint,
        out string error)
    {
        endpoint = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = $"the endpoint is empty; expected {UnixScheme}/absolute/path";
            return false;
        }

        if (!value.StartsWith(UnixScheme, StringComparison.OrdinalIgnoreCase))
        {
            error = $"only unix sockets are supported; expected {UnixScheme}/absolute/path";
            return false;
        }

        var path = value[UnixScheme.Length..];
        if (!path.StartsWith('/'))
        {
            // unix://run/x.sock would silently become a path relative to the working directory.
            error = $"the socket path must be absolute; expected {UnixScheme}/absolute/path";
            return false;
        }

        if (path.Length == 1 || path.EndsWith('/'))
        {
            error = "the socket path names a directory, not a socket file";
            return false;
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            error = "the socket path contains a NUL character";
            return false;
        }

        if (Encoding.UTF8.GetByteCount(path) > MaxSocketPathBytes)
        {
            error = $"the socket path is longer than {MaxSocketPathBytes} bytes, the limit of a unix socket address";
            return false;
        }

        endpoint = new CriEndpoint(path);
        error = string.Empty;
        return true;
    }
}
