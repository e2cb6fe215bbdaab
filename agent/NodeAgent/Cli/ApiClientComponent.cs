using System.Security.Cryptography.X509Certificates;
using k8s;
using NodeAgent.Controllers.Machinery;

namespace NodeAgent.Cli;

/// <summary>
/// An <see cref="IApiComponent"/> (node role, scheduler) run inside the server: an ordinary API client with the
/// admin kubeconfig's credentials (DESIGN.md §1: components never touch storage).
/// </summary>
internal abstract class ApiClientComponent : IServerComponent
{
    private Kubernetes? _client;
    private IApiComponent? _component;

    public abstract string Name { get; }

    public async Task StartAsync(ServerEnvironment environment, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(environment);
        _client = new Kubernetes(ClientConfiguration(environment));
        _component = Create(environment);
        await _component.StartAsync(_client, ct);
    }

    public async ValueTask DisposeAsync()
    {
        // The component stops first (its informers and writers still use the client while they wind down).
        if (_component is not null)
        {
            await _component.DisposeAsync();
            _component = null;
        }

        _client?.Dispose();
        _client = null;
    }

    protected abstract IApiComponent Create(ServerEnvironment environment);

    /// <summary>
    /// The admin kubeconfig's server, CA and token, built in memory: reading the file back would go through
    /// KubernetesYaml, whose type map loads all of the client library's types (≈ 25 MB of idle memory).
    /// </summary>
    private static KubernetesClientConfiguration ClientConfiguration(ServerEnvironment environment) => new()
    {
        Host = environment.ApiServer.GetLeftPart(UriPartial.Authority),
        AccessToken = environment.AdminToken,
        SslCaCerts = [X509CertificateLoader.LoadCertificate(environment.ClusterAuthority.RawData)],
    };
}
