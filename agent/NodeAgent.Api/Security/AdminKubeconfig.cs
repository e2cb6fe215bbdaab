using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace NodeAgent.Api.Security;

/// <summary>The kubeconfig for the admin: our CA inline and a bearer token or a client certificate.</summary>
public static class AdminKubeconfig
{
    /// <summary>The cluster, user and context name in the kubeconfigs we write.</summary>
    public const string Name = "nodeagent";

    /// <summary>How clients reach a server bound to <paramref name="address"/>: a wildcard means loopback.</summary>
    public static Uri ServerUri(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        var reachable = address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : address;
        var host = reachable.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{reachable}]" : reachable.ToString();
        return new Uri($"https://{host}:{port}");
    }

    public static string WithToken(Uri server, X509Certificate2 authority, string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        return Serialize(server, authority, [("token", token)]);
    }

    public static string WithClientCertificate(Uri server, X509Certificate2 authority, X509Certificate2 client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return Serialize(server, authority,
        [
            ("client-certificate-data", Base64(ClusterCertificates.CertificatePem(client))),
            ("client-key-data", Base64(ClusterCertificates.PrivateKeyPem(client))),
        ]);
    }

    // Written event by event with YamlDotNet's emitter, which quotes each scalar as YAML needs: no reflection
    // serializer (the Native AOT publish trims what that would reflect over), and not KubernetesYaml, whose type map
    // loads every one of the client library's ~6,000 types on first use (≈ 25 MB of the server's idle memory).
    private static string Serialize(Uri server, X509Certificate2 authority, IReadOnlyList<(string Key, string Value)> user)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(authority);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var yaml = new Emitter(text);
        yaml.Emit(new StreamStart());
        yaml.Emit(new DocumentStart());
        yaml.Emit(new MappingStart());
        Pair(yaml, "apiVersion", "v1");
        Pair(yaml, "kind", "Config");
        Named(yaml, "clusters", "cluster",
        [
            ("server", server.GetLeftPart(UriPartial.Authority)),
            ("certificate-authority-data", Base64(ClusterCertificates.CertificatePem(authority))),
        ]);
        Named(yaml, "users", "user", user);
        Named(yaml, "contexts", "context", [("cluster", Name), ("user", Name)]);
        Pair(yaml, "current-context", Name);
        yaml.Emit(new MappingEnd());
        yaml.Emit(new DocumentEnd(isImplicit: true));
        yaml.Emit(new StreamEnd());
        return text.ToString();
    }

    private static void Pair(Emitter yaml, string key, string value)
    {
        yaml.Emit(new Scalar(key));
        yaml.Emit(new Scalar(value));
    }

    /// <summary><c>clusters: [{name: nodeagent, cluster: {server: …}}]</c>: a one-entry list of a named record.</summary>
    private static void Named(Emitter yaml, string list, string record, IReadOnlyList<(string Key, string Value)> fields)
    {
        yaml.Emit(new Scalar(list));
        yaml.Emit(new SequenceStart(anchor: null, tag: null, isImplicit: true, SequenceStyle.Block));
        yaml.Emit(new MappingStart());
        Pair(yaml, "name", Name);
        yaml.Emit(new Scalar(record));
        yaml.Emit(new MappingStart());
        foreach (var (key, value) in fields)
        {
            Pair(yaml, key, value);
        }

        yaml.Emit(new MappingEnd());
        yaml.Emit(new MappingEnd());
        yaml.Emit(new SequenceEnd());
    }

    private static string Base64(string pem) => Convert.ToBase64String(Encoding.ASCII.GetBytes(pem));
}
