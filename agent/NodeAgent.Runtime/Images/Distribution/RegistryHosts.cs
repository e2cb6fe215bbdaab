using System.Text.RegularExpressions;

namespace NodeAgent.Runtime.Images.Distribution;

/// <summary>
/// Decides where a reference is fetched from. A mirror entry for the registry (else a <c>*</c>
/// entry) with endpoints replaces the upstream entirely — no implicit fallback, so an air-gapped
/// node never reaches out; list the upstream explicitly to get one. Without a mirror the registry
/// itself is asked: docker.io at registry-1.docker.io, plain HTTP only for insecure registries.
/// </summary>
public sealed class RegistryHosts
{
    public const string Wildcard = "*";

    private const string DockerHubApiHost = "registry-1.docker.io";

    private readonly RegistryHostsConfig _config;
    private readonly HashSet<string> _insecure;

    public RegistryHosts(RegistryHostsConfig config, IReadOnlyList<string> insecureRegistries)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(insecureRegistries);
        _config = config;
        _insecure = new HashSet<string>(insecureRegistries.Select(NormalizeInsecure), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The endpoints to try for <paramref name="reference"/>, in order.</summary>
    public IReadOnlyList<RegistryEndpoint> Resolve(ImageReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (FindMirror(reference.Registry) is { Endpoints.Count: > 0 } mirror)
        {
            var repository = Rewrite(reference.Repository, mirror.Rewrites);
            return mirror.Endpoints.Select(uri =>
            {
                var upstream = IsUpstream(uri, reference.Registry);
                return new RegistryEndpoint(uri, upstream ? reference.Repository : repository, !upstream, SettingsFor(uri.Authority));
            }).ToList();
        }

        return [Upstream(reference)];
    }

    /// <summary>True when <paramref name="host"/> (host[:port]) is reached over plain HTTP.</summary>
    public bool IsInsecure(string host) => _insecure.Contains(host);

    private RegistryMirror? FindMirror(string registry)
        => _config.Mirrors.GetValueOrDefault(registry) ?? _config.Mirrors.GetValueOrDefault(Wildcard);

    private RegistryEndpoint Upstream(ImageReference reference)
    {
        var host = reference.Registry == ImageReference.DockerHub ? DockerHubApiHost : reference.Registry;
        var scheme = IsInsecure(reference.Registry) || IsInsecure(host) ? Uri.UriSchemeHttp : Uri.UriSchemeHttps;
        var root = new Uri($"{scheme}://{host}/v2/");
        return new RegistryEndpoint(root, reference.Repository, IsMirror: false, SettingsFor(reference.Registry) ?? SettingsFor(root.Authority));
    }

    private static bool IsUpstream(Uri endpoint, string registry)
        => string.Equals(endpoint.Authority, registry, StringComparison.OrdinalIgnoreCase)
            || (registry == ImageReference.DockerHub && string.Equals(endpoint.Host, DockerHubApiHost, StringComparison.OrdinalIgnoreCase));

    private RegistryHostSettings? SettingsFor(string host)
        => _config.Configs.GetValueOrDefault(host) ?? _config.Configs.GetValueOrDefault(Wildcard);

    private static string Rewrite(string repository, IReadOnlyList<RegistryRewrite> rewrites)
    {
        foreach (var rewrite in rewrites)
        {
            var regex = new Regex(rewrite.Pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            if (regex.IsMatch(repository))
            {
                return regex.Replace(repository, rewrite.Replacement, 1);
            }
        }

        return repository;
    }

    private static string NormalizeInsecure(string entry)
    {
        // Tolerate "http://host:port/" as people write it; the registry is identified by host[:port].
        var trimmed = entry.Trim();
        return trimmed.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(trimmed, UriKind.Absolute, out var uri)
            ? uri.Authority
            : trimmed.TrimEnd('/');
    }
}
