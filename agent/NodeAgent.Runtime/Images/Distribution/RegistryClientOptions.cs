namespace NodeAgent.Runtime.Images.Distribution;

/// <summary>How the registry client reaches registries; defaults suit a node pulling over a network.</summary>
public sealed record RegistryClientOptions
{
    /// <summary><c>HOST[:PORT]</c> entries (<c>--insecure-registry</c>) reached over plain HTTP; everything else is HTTPS.</summary>
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];

    /// <summary>k3s-format registries.yaml (mirrors, auth, TLS); null or a missing file means none.</summary>
    public string? RegistriesYamlPath { get; init; }

    /// <summary>Tries per request (manifest, blob open, token) before a transient fault becomes an error.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>Delay before the second try; it doubles per try up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Upper bound of one backoff delay, also of a server's <c>Retry-After</c>.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Deadline of one try until the response headers (and a manifest's body) have arrived.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A blob body that delivers nothing for this long fails with an <see cref="IOException"/> (the caller resumes).</summary>
    public TimeSpan ReadIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest manifest or index accepted (distribution's own limit is 4 MiB).</summary>
    public int MaxManifestBytes { get; init; } = 4 << 20;

    public string UserAgent { get; init; } = "nodeagent";
}
