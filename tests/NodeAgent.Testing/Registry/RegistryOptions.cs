namespace NodeAgent.Testing.Registry;

/// <summary>How a test registry runs; the defaults are the Debian packages' paths.</summary>
public sealed record RegistryOptions
{
    /// <summary>When set, the registry requires these credentials (htpasswd basic auth).</summary>
    public RegistryCredentials? Credentials { get; init; }

    /// <summary>From the Debian package docker-registry (distribution v2).</summary>
    public string RegistryBinary { get; init; } = "/usr/bin/docker-registry";

    /// <summary>From the Debian package skopeo.</summary>
    public string SkopeoBinary { get; init; } = "/usr/bin/skopeo";

    /// <summary>From the Debian package apache2-utils.</summary>
    public string HtpasswdBinary { get; init; } = "/usr/bin/htpasswd";

    /// <summary>Deadline for start-up when xunit starts the fixture (it passes no token).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the registry gets after SIGTERM before it is killed.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(5);

    public static RegistryOptions Anonymous { get; } = new();

    public static RegistryOptions WithBasicAuth(RegistryCredentials? credentials = null)
        => new() { Credentials = credentials ?? RegistryCredentials.Random() };
}
