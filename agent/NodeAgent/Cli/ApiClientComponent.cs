using k8s;
using NodeAgent.Controllers.Machinery;

namespace NodeAgent.Cli;

/// <summary>
/// An <see cref="IApiComponent"/> (node role, scheduler) run inside the server: an ordinary API client built from the
/// admin kubeconfig (DESIGN.md §1: components never touch storage).
/// </summary>
internal abstract class ApiClientComponent : IServerComponent
{
    private Kubernetes? _client;
    private IApiComponent? _component;

    public abstract string Name { get; }

    public async Task StartAsync(ServerEnvironment environment, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(environment);
        _client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(environment.AdminKubeconfigPath));
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
}
