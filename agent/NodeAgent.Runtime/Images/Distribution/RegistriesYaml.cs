using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace NodeAgent.Runtime.Images.Distribution;

/// <summary>
/// Reads k3s' registries.yaml:
/// <code>
/// mirrors:
///   docker.io:
///     endpoint: ["http://127.0.0.1:5000"]
///     rewrite: { "^library/(.*)": "mirrored/$1" }
/// configs:
///   "127.0.0.1:5000":
///     auth: { username: u, password: p }        # or auth: base64(u:p), or identity_token
///     tls: { ca_file: ..., cert_file: ..., key_file: ..., insecure_skip_verify: false }
/// </code>
/// Unknown keys are errors (a typo must not silently disable a mirror); every error names file:line:column.
/// </summary>
public static class RegistriesYaml
{
    public static RegistryHostsConfig Load(string path)
        => Parse(File.ReadAllText(path), path, Path.GetDirectoryName(Path.GetFullPath(path)));

    public static async Task<RegistryHostsConfig> LoadAsync(string path, CancellationToken cancellationToken)
        => Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), path, Path.GetDirectoryName(Path.GetFullPath(path)));

    /// <summary>Parses <paramref name="yaml"/>; <paramref name="source"/> names it in errors; relative TLS paths resolve against <paramref name="baseDirectory"/>.</summary>
    public static RegistryHostsConfig Parse(string yaml, string source, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        RejectTabIndentation(yaml, source);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new RegistryConfigException(source, (int)e.Start.Line, (int)e.Start.Column, InnermostMessage(e), e);
        }

        if (stream.Documents.Count == 0)
        {
            return RegistryHostsConfig.Empty;
        }

        return new Reader(source, baseDirectory ?? Directory.GetCurrentDirectory()).ReadRoot(stream.Documents[0].RootNode);
    }

    /// <summary>YamlDotNet reports a tab in indentation at 1:1; find the real line, as people do indent with tabs.</summary>
    private static void RejectTabIndentation(string yaml, string source)
    {
        var lines = yaml.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var indentation = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            var tab = lines[i].IndexOf('\t', StringComparison.Ordinal);
            if (tab >= 0 && tab < indentation)
            {
                throw new RegistryConfigException(source, i + 1, tab + 1, "tabs are not allowed in YAML indentation; use spaces");
            }
        }
    }

    private static string InnermostMessage(YamlException e)
        => e.InnerException is YamlException inner ? InnermostMessage(inner) : e.Message;

    private sealed class Reader(string source, string baseDirectory)
    {
        public RegistryHostsConfig ReadRoot(YamlNode root)
        {
            var mirrors = new Dictionary<string, RegistryMirror>(StringComparer.OrdinalIgnoreCase);
            var configs = new Dictionary<string, RegistryHostSettings>(StringComparer.OrdinalIgnoreCase);
            foreach (var (key, value) in Entries(root, "the top level", "mirrors", "configs"))
            {
                if (key == "mirrors")
                {
                    foreach (var (host, node) in Entries(value, "mirrors"))
                    {
                        mirrors[RegistryKey(node, host)] = ReadMirror(node, host);
                    }
                }
                else
                {
                    foreach (var (host, node) in Entries(value, "configs"))
                    {
                        configs[RegistryKey(node, host)] = ReadSettings(node, host);
                    }
                }
            }

            return new RegistryHostsConfig(mirrors, configs);
        }

        private RegistryMirror ReadMirror(YamlNode node, string host)
        {
            var endpoints = new List<Uri>();
            var rewrites = new List<RegistryRewrite>();
            foreach (var (key, value) in Entries(node, $"mirrors.\"{host}\"", "endpoint", "rewrite"))
            {
                if (key == "endpoint")
                {
                    foreach (var item in Sequence(value, $"mirrors.\"{host}\".endpoint"))
                    {
                        endpoints.Add(Endpoint(item));
                    }
                }
                else
                {
                    foreach (var (pattern, replacement) in Entries(value, $"mirrors.\"{host}\".rewrite"))
                    {
                        rewrites.Add(Rewrite(replacement, pattern));
                    }
                }
            }

            return new RegistryMirror(endpoints, rewrites);
        }

        private RegistryHostSettings ReadSettings(YamlNode node, string host)
        {
            RegistryAuth? auth = null;
            RegistryTlsSettings? tls = null;
            foreach (var (key, value) in Entries(node, $"configs.\"{host}\"", "auth", "tls"))
            {
                if (key == "auth")
                {
                    auth = ReadAuth(value, host);
                }
                else
                {
                    tls = ReadTls(value, host);
                }
            }

            return new RegistryHostSettings(auth, tls);
        }

        private RegistryAuth? ReadAuth(YamlNode node, string host)
        {
            string? username = null, password = null, identityToken = null;
            foreach (var (key, value) in Entries(node, $"configs.\"{host}\".auth", "username", "password", "auth", "identity_token"))
            {
                switch (key)
                {
                    case "username":
                        username = Scalar(value, key);
                        break;
                    case "password":
                        password = Scalar(value, key);
                        break;
                    case "identity_token":
                        identityToken = Scalar(value, key);
                        break;
                    default:
                        (username, password) = DecodeBasic(value);
                        break;
                }
            }

            return username is null && identityToken is null ? null : new RegistryAuth(username, password, identityToken);
        }

        private (string, string) DecodeBasic(YamlNode node)
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(Scalar(node, "auth") ?? string.Empty));
            }
            catch (FormatException)
            {
                throw Fail(node, "auth is not base64 of user:password");
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? throw Fail(node, "auth does not decode to user:password") : (decoded[..colon], decoded[(colon + 1)..]);
        }

        private RegistryTlsSettings ReadTls(YamlNode node, string host)
        {
            string? ca = null, cert = null, key = null;
            var insecure = false;
            YamlNode? certNode = null;
            foreach (var (name, value) in Entries(node, $"configs.\"{host}\".tls", "ca_file", "cert_file", "key_file", "insecure_skip_verify"))
            {
                switch (name)
                {
                    case "ca_file":
                        ca = ExistingFile(value, name);
                        break;
                    case "cert_file":
                        cert = ExistingFile(value, name);
                        certNode = value;
                        break;
                    case "key_file":
                        key = ExistingFile(value, name);
                        certNode ??= value;
                        break;
                    default:
                        insecure = Scalar(value, name) switch
                        {
                            "true" or "True" or "TRUE" => true,
                            "false" or "False" or "FALSE" or null => false,
                            var other => throw Fail(value, $"insecure_skip_verify must be true or false, not \"{other}\""),
                        };
                        break;
                }
            }

            if ((cert is null) != (key is null))
            {
                throw Fail(certNode!, "cert_file and key_file must be given together");
            }

            return new RegistryTlsSettings(ca, cert, key, insecure);
        }

        private string? ExistingFile(YamlNode node, string key)
        {
            var value = Scalar(node, key);
            if (value is null)
            {
                return null;
            }

            var path = Path.GetFullPath(value, baseDirectory);
            return File.Exists(path) ? path : throw Fail(node, $"{key} \"{value}\" does not exist");
        }

        private Uri Endpoint(YamlNode node)
        {
            var value = Scalar(node, "endpoint") ?? throw Fail(node, "an endpoint must not be empty");
            var text = value.Contains("://", StringComparison.Ordinal) ? value : "https://" + value;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0
                || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
            {
                throw Fail(node, $"endpoint \"{value}\" is not an http:// or https:// URL of a registry");
            }

            // The endpoint's path is the API root: /v2 is appended unless it is already there.
            var path = uri.AbsolutePath.TrimEnd('/');
            if (!path.EndsWith("/v2", StringComparison.Ordinal))
            {
                path += "/v2";
            }

            return new UriBuilder(uri.Scheme, uri.Host, uri.Port, path + "/").Uri;
        }

        private RegistryRewrite Rewrite(YamlNode node, string pattern)
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                throw Fail(node, $"rewrite pattern \"{pattern}\" is not a valid regular expression: {e.Message}");
            }

            return new RegistryRewrite(pattern, Scalar(node, "rewrite") ?? string.Empty);
        }

        private string RegistryKey(YamlNode valueNode, string key)
        {
            var host = key.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(key, UriKind.Absolute, out var uri) ? uri.Authority : key;
            if (host == "*" || Uri.CheckHostName(host.Split(':')[0]) != UriHostNameType.Unknown || host.StartsWith('['))
            {
                return host.ToLowerInvariant();
            }

            throw Fail(valueNode, $"\"{key}\" is not a registry host[:port]");
        }

        /// <summary>The entries of a mapping (null or empty → none), rejecting keys not in <paramref name="allowed"/> (empty → any).</summary>
        private IEnumerable<(string Key, YamlNode Value)> Entries(YamlNode node, string where, params string[] allowed)
        {
            if (IsNull(node))
            {
                yield break;
            }

            if (node is not YamlMappingNode mapping)
            {
                throw Fail(node, $"{where} must be a mapping");
            }

            foreach (var (keyNode, value) in mapping.Children)
            {
                var key = keyNode is YamlScalarNode { Value: { } k } ? k : throw Fail(keyNode, $"keys of {where} must be strings");
                if (allowed.Length > 0 && !allowed.Contains(key))
                {
                    throw Fail(keyNode, $"unknown key \"{key}\" in {where} (expected: {string.Join(", ", allowed)})");
                }

                yield return (key, value);
            }
        }

        private IEnumerable<YamlNode> Sequence(YamlNode node, string where)
            => IsNull(node) ? []
                : node is YamlSequenceNode sequence ? sequence.Children
                : node is YamlScalarNode ? [node] // a single endpoint written as a string
                : throw Fail(node, $"{where} must be a list");

        private string? Scalar(YamlNode node, string key)
            => IsNull(node) ? null
                : node is YamlScalarNode scalar ? scalar.Value
                : throw Fail(node, $"{key} must be a string");

        private static bool IsNull(YamlNode node)
            => node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" };

        private RegistryConfigException Fail(YamlNode node, string reason)
            => new(source, (int)node.Start.Line, (int)node.Start.Column, reason);
    }
}
