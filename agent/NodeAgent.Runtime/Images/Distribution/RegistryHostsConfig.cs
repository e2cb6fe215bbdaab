namespace NodeAgent.Runtime.Images.Distribution;

/// <summary>
/// The content of a k3s-format registries.yaml: <c>mirrors</c> keyed by registry host (or <c>*</c>)
/// and <c>configs</c> keyed by the host[:port] an endpoint is reached at.
/// </summary>
public sealed record RegistryHostsConfig(
    IReadOnlyDictionary<string, RegistryMirror> Mirrors,
    IReadOnlyDictionary<string, RegistryHostSettings> Configs)
{
    public static RegistryHostsConfig Empty { get; } = new(
        new Dictionary<string, RegistryMirror>(StringComparer.OrdinalIgnoreCase),
        new Dictionary<string, RegistryHostSettings>(StringComparer.OrdinalIgnoreCase));
}

/// <summary>Endpoints tried in order for one registry, and repository rewrites (regex → replacement) applied for them.</summary>
public sealed record RegistryMirror(IReadOnlyList<Uri> Endpoints, IReadOnlyList<RegistryRewrite> Rewrites);

public sealed record RegistryRewrite(string Pattern, string Replacement);

/// <summary>Per-host credentials and TLS settings.</summary>
public sealed record RegistryHostSettings(RegistryAuth? Auth, RegistryTlsSettings? Tls);

/// <summary>PEM files; <see cref="CaFile"/> is trusted in addition to the system CAs.</summary>
public sealed record RegistryTlsSettings(string? CaFile, string? CertFile, string? KeyFile, bool InsecureSkipVerify);
