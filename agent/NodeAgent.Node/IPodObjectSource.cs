using k8s.Models;

namespace NodeAgent.Node;

/// <summary>ConfigMaps and Secrets a pod refers to. The API-backed (informer) implementation comes with the API wiring.</summary>
public interface IPodObjectSource
{
    /// <returns>The object, or null when it does not exist.</returns>
    Task<V1ConfigMap?> GetConfigMapAsync(string namespaceName, string name, CancellationToken cancellationToken);

    /// <returns>The object, or null when it does not exist.</returns>
    Task<V1Secret?> GetSecretAsync(string namespaceName, string name, CancellationToken cancellationToken);
}
