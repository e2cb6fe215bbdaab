using System.Text;
using System.Text.Json;
using k8s.Models;
using NodeAgent.Cri.V1;

namespace NodeAgent.Node.Images;

/// <summary>
/// Registry credentials from a pod's image pull secrets, looked up as kubelet's keyring does: a key is
/// <c>[scheme://]host[:port][/path]</c> (host parts may be globs such as <c>*.example.com</c>); it matches an image
/// whose registry host and port are the same and whose repository path starts with the key's path. Matches come
/// longest key first, so a repository-specific entry wins over the registry-wide one.
/// </summary>
public sealed class DockerKeyring
{
    public const string DockerConfigJsonType = "kubernetes.io/dockerconfigjson";
    public const string DockerConfigType = "kubernetes.io/dockercfg";
    private const string DockerHub = "docker.io";

    private readonly List<(RegistryKey Key, AuthConfig Auth)> _entries = [];

    public int Count => _entries.Count;

    /// <summary>Adds the entries of a <c>kubernetes.io/dockerconfigjson</c> or <c>kubernetes.io/dockercfg</c> secret; other types add nothing.</summary>
    /// <exception cref="FormatException">The secret's config is not valid docker config JSON.</exception>
    public void AddSecret(V1Secret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var data = secret.Data ?? new Dictionary<string, byte[]>();
        if (secret.Type == DockerConfigJsonType && data.TryGetValue(".dockerconfigjson", out var json) && json.Length > 0)
        {
            using var document = Parse(json, secret);
            if (document.RootElement.TryGetProperty("auths", out var auths) && auths.ValueKind == JsonValueKind.Object)
            {
                AddEntries(auths, secret);
            }
        }
        else if (secret.Type == DockerConfigType && data.TryGetValue(".dockercfg", out var cfg) && cfg.Length > 0)
        {
            using var document = Parse(cfg, secret);
            AddEntries(document.RootElement, secret);
        }
    }

    public void Add(string key, string username, string password)
    {
        var parsed = RegistryKey.Parse(key);
        _entries.Add((parsed, new AuthConfig { Username = username, Password = password, ServerAddress = parsed.HostAndPort }));
    }

    /// <summary>The credentials to try for <paramref name="image"/>, best match first; empty when none match (pull anonymously).</summary>
    public IReadOnlyList<AuthConfig> Lookup(string image)
    {
        var target = RegistryKey.ForImage(image);
        // A stable sort: among equally long keys, the pod's first pull secret is tried first.
        return _entries.Where(e => e.Key.Matches(target)).OrderByDescending(e => e.Key.Length).Select(e => e.Auth).ToList();
    }

    private static JsonDocument Parse(byte[] json, V1Secret secret)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"secret {secret.Metadata?.Name} of type {secret.Type} holds invalid JSON: {e.Message}", e);
        }
    }

    private void AddEntries(JsonElement auths, V1Secret secret)
    {
        if (auths.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"secret {secret.Metadata?.Name} of type {secret.Type}: registry entries must be a JSON object");
        }

        foreach (var entry in auths.EnumerateObject())
        {
            var username = StringOf(entry.Value, "username");
            var password = StringOf(entry.Value, "password");
            // "auth" is base64(user:password), as docker login writes it; it fills in what username/password leave out.
            if (string.IsNullOrEmpty(username) && StringOf(entry.Value, "auth") is { Length: > 0 } auth)
            {
                string decoded;
                try
                {
                    decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
                }
                catch (FormatException e)
                {
                    throw new FormatException($"secret {secret.Metadata?.Name}: the auth of {entry.Name} is not base64", e);
                }

                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0)
                {
                    throw new FormatException($"secret {secret.Metadata?.Name}: the auth of {entry.Name} is not user:password");
                }

                username = decoded[..colon];
                password = decoded[(colon + 1)..];
            }

            Add(entry.Name, username ?? string.Empty, password ?? string.Empty);
        }
    }

    private static string? StringOf(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A keyring key or an image, as host (lower case), port and repository path.</summary>
    private sealed record RegistryKey(string Host, string Port, string Path)
    {
        public int Length => Host.Length + Port.Length + Path.Length;

        public string HostAndPort => Port.Length == 0 ? Host : Host + ":" + Port;

        public static RegistryKey Parse(string key)
        {
            var value = key.Trim();
            foreach (var scheme in new[] { "https://", "http://" })
            {
                if (value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
                {
                    value = value[scheme.Length..];
                }
            }

            var slash = value.IndexOf('/', StringComparison.Ordinal);
            var hostPort = slash < 0 ? value : value[..slash];
            var path = slash < 0 ? string.Empty : value[slash..];
            // docker config files often name the API root: https://index.docker.io/v1/, https://host/v2/.
            if (path.StartsWith("/v1/", StringComparison.Ordinal) || path.StartsWith("/v2/", StringComparison.Ordinal))
            {
                path = path[3..];
            }

            var (host, port) = SplitPort(hostPort);
            if (host is "index.docker.io" or "registry-1.docker.io")
            {
                host = DockerHub;
            }

            return new RegistryKey(host, port, path.Trim('/'));
        }

        /// <summary>The registry and repository of an image reference; Docker Hub short names normalised (busybox → docker.io/library/busybox).</summary>
        public static RegistryKey ForImage(string image)
        {
            var name = image;
            var at = name.IndexOf('@', StringComparison.Ordinal);
            if (at >= 0)
            {
                name = name[..at];
            }

            var lastSlash = name.LastIndexOf('/');
            var colon = name.IndexOf(':', lastSlash + 1);
            if (colon >= 0)
            {
                name = name[..colon];
            }

            var first = name.IndexOf('/', StringComparison.Ordinal);
            var firstPart = first < 0 ? string.Empty : name[..first];
            var hasRegistry = first >= 0 && (firstPart.Contains('.', StringComparison.Ordinal) || firstPart.Contains(':', StringComparison.Ordinal) || firstPart == "localhost");
            if (!hasRegistry)
            {
                return new RegistryKey(DockerHub, string.Empty, name.Contains('/', StringComparison.Ordinal) ? name : "library/" + name);
            }

            var (host, port) = SplitPort(firstPart);
            return new RegistryKey(host is "index.docker.io" or "registry-1.docker.io" ? DockerHub : host, port, name[(first + 1)..]);
        }

        public bool Matches(RegistryKey image)
            => Port == image.Port && HostMatches(Host, image.Host) && image.Path.StartsWith(Path, StringComparison.Ordinal);

        private static bool HostMatches(string pattern, string host)
        {
            var patternParts = pattern.Split('.');
            var hostParts = host.Split('.');
            return patternParts.Length == hostParts.Length && patternParts.Zip(hostParts).All(p => GlobMatches(p.First, p.Second));
        }

        private static bool GlobMatches(string pattern, string text)
        {
            if (!pattern.Contains('*', StringComparison.Ordinal))
            {
                return string.Equals(pattern, text, StringComparison.Ordinal);
            }

            var pieces = pattern.Split('*');
            if (!text.StartsWith(pieces[0], StringComparison.Ordinal) || !text.EndsWith(pieces[^1], StringComparison.Ordinal) || text.Length < pieces[0].Length + pieces[^1].Length)
            {
                return false;
            }

            var position = pieces[0].Length;
            foreach (var piece in pieces[1..^1])
            {
                var found = text.IndexOf(piece, position, StringComparison.Ordinal);
                if (found < 0)
                {
                    return false;
                }

                position = found + piece.Length;
            }

            return position <= text.Length - pieces[^1].Length;
        }

        private static (string Host, string Port) SplitPort(string hostPort)
        {
            var colon = hostPort.LastIndexOf(':');
            return colon < 0 || hostPort.EndsWith(']')
                ? (hostPort.ToLowerInvariant(), string.Empty)
                : (hostPort[..colon].ToLowerInvariant(), hostPort[(colon + 1)..]);
        }
    }
}
