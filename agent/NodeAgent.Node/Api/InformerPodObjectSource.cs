using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using NodeAgent.Controllers.Machinery;
using NodeAgent.Node.Volumes;

namespace NodeAgent.Node.Api;

/// <summary>
/// ConfigMaps and Secrets for pod syncs from informer caches; a cache miss asks the API directly, because a pod
/// created together with its ConfigMap may reach the node before the ConfigMap's watch event does.
/// </summary>
public sealed class InformerPodObjectSource : IPodObjectSource, IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly SharedInformer<V1ConfigMap> _configMaps;
    private readonly SharedInformer<V1Secret> _secrets;

    public InformerPodObjectSource(IKubernetes client, TimeProvider time, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _client = client;
        _configMaps = new SharedInformer<V1ConfigMap>(ListWatches.ConfigMaps(client), "configmaps", time, loggerFactory.CreateLogger<SharedInformer<V1ConfigMap>>());
        _secrets = new SharedInformer<V1Secret>(ListWatches.Secrets(client), "secrets", time, loggerFactory.CreateLogger<SharedInformer<V1Secret>>());
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _configMaps.Start();
        _secrets.Start();
        await Task.WhenAll(_configMaps.WaitForSyncAsync(cancellationToken), _secrets.WaitForSyncAsync(cancellationToken)).ConfigureAwait(false);
    }

    public async Task<V1ConfigMap?> GetConfigMapAsync(string namespaceName, string name, CancellationToken cancellationToken)
    {
        if (_configMaps.Cache.Get(new ObjectKey(namespaceName, name)) is { } cached)
        {
            return cached;
        }

        try
        {
            return await _client.CoreV1.ReadNamespacedConfigMapAsync(name, namespaceName, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            return null;
        }
    }

    public async Task<V1Secret?> GetSecretAsync(string namespaceName, string name, CancellationToken cancellationToken)
    {
        if (_secrets.Cache.Get(new ObjectKey(namespaceName, name)) is { } cached)
        {
            return cached;
        }

        try
        {
            return await _client.CoreV1.ReadNamespacedSecretAsync(name, namespaceName, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            return null;
        }
    }

    public async Task<IssuedToken> RequestServiceAccountTokenAsync(ServiceAccountTokenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new Authenticationv1TokenRequest
        {
            Spec = new V1TokenRequestSpec
            {
                Audiences = string.IsNullOrEmpty(request.Audience) ? [] : [request.Audience],
                ExpirationSeconds = request.ExpirationSeconds,
                BoundObjectRef = new V1BoundObjectReference { ApiVersion = "v1", Kind = "Pod", Name = request.PodName, Uid = request.PodUid },
            },
        };
        var response = await _client.CoreV1.CreateNamespacedServiceAccountTokenAsync(body, request.ServiceAccount, request.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(response.Status?.Token) || response.Status.ExpirationTimestamp is not { } expires)
        {
            throw new VolumeException($"the TokenRequest for service account {request.Namespace}/{request.ServiceAccount} returned no token");
        }

        return new IssuedToken(response.Status.Token, new DateTimeOffset(DateTime.SpecifyKind(expires, DateTimeKind.Utc)));
    }

    public async ValueTask DisposeAsync()
    {
        await _configMaps.DisposeAsync().ConfigureAwait(false);
        await _secrets.DisposeAsync().ConfigureAwait(false);
    }
}
