using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.KubeConfigModels;
using YamlDotNet.Serialization;

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
        return Serialize(server, authority, new UserCredentials { Token = token });
    }

    public static string WithClientCertificate(Uri server, X509Certificate2 authority, X509Certificate2 client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return Serialize(server, authority, new UserCredentials
        {
            ClientCertificateData = Base64(ClusterCertificates.CertificatePem(client)),
            ClientKeyData = Base64(ClusterCertificates.PrivateKeyPem(client)),
        });
    }

    private static string Serialize(Uri server, X509Certificate2 authority, UserCredentials user)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(authority);
        var config = new K8SConfiguration
        {
            ApiVersion = "v1",
            Kind = "Config",
            Clusters =
            [
                new Cluster
                {
                    Name = Name,
                    ClusterEndpoint = new ClusterEndpoint
                    {
                        Server = server.GetLeftPart(UriPartial.Authority),
                        CertificateAuthorityData = Base64(ClusterCertificates.CertificatePem(authority)),
                    },
                },
            ],
            Users = [new User { Name = Name, UserCredentials = user }],
            Contexts = [new Context { Name = Name, ContextDetails = new ContextDetails { Cluster = Name, User = Name } }],
            CurrentContext = Name,
        };
        return KubeconfigYaml.Serialize(config);
    }

    // YamlDotNet directly, not KubernetesYaml: the latter's type map loads every one of the client library's ~6,000
    // types on first use, ≈ 25 MB of the server's idle memory, for a file of three small records.
    private static readonly ISerializer KubeconfigYaml = new SerializerBuilder()
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull | DefaultValuesHandling.OmitEmptyCollections)
        .Build();

    private static string Base64(string pem) => Convert.ToBase64String(Encoding.ASCII.GetBytes(pem));
}
