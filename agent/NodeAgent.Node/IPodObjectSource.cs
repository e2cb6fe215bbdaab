using k8s.Models;
using NodeAgent.Node.Volumes;

namespace NodeAgent.Node;

/// <summary>ConfigMaps and Secrets a pod refers to, and the service-account tokens its volumes project.</summary>
public interface IPodObjectSource
{
    /// <returns>The object, or null when it does not exist.</returns>
    Task<V1ConfigMap?> GetConfigMapAsync(string namespaceName, string name, CancellationToken cancellationToken);

    /// <returns>The object, or null when it does not exist.</returns>
    Task<V1Secret?> GetSecretAsync(string namespaceName, string name, CancellationToken cancellationToken);

    /// <summary>A token from the TokenRequest API, bound to the pod.</summary>
    Task<IssuedToken> RequestServiceAccountTokenAsync(ServiceAccountTokenRequest request, CancellationToken cancellationToken);
}
