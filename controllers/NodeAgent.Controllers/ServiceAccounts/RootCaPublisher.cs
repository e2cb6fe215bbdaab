using k8s;
using k8s.Models;
using NodeAgent.Controllers.Machinery;

namespace NodeAgent.Controllers.ServiceAccounts;

/// <summary>
/// Upstream's root-CA certificate publisher: a ConfigMap <c>kube-root-ca.crt</c> with the cluster CA (<c>ca.crt</c>)
/// in every active namespace, which service-account token volumes project so pods can verify the API server.
/// </summary>
public sealed class RootCaPublisher(ServiceAccountControllerOptions options, string caPem) : NamespaceObjectPublisher<V1ConfigMap>(options)
{
    public const string ConfigMapName = "kube-root-ca.crt";
    public const string DataKey = "ca.crt";

    private const string DescriptionAnnotation = "kubernetes.io/description";
    private const string Description =
        "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. "
        + "No other usage is guaranteed across distributions of Kubernetes clusters.";

    protected override string Name => "root-ca-cert-publisher";

    protected override string ObjectName => ConfigMapName;

    protected override ListWatch<V1ConfigMap> ListWatch(IKubernetes client, string fieldSelector) => ListWatches.ConfigMaps(client, fieldSelector);

    protected override Task CreateAsync(string ns, CancellationToken cancellationToken)
        => Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap
            {
                Metadata = new V1ObjectMeta
                {
                    Name = ConfigMapName,
                    NamespaceProperty = ns,
                    Annotations = new Dictionary<string, string> { [DescriptionAnnotation] = Description },
                },
                Data = new Dictionary<string, string> { [DataKey] = caPem },
            },
            ns,
            cancellationToken: cancellationToken);

    protected override bool NeedsUpdate(V1ConfigMap existing)
    {
        ArgumentNullException.ThrowIfNull(existing);
        return existing.Data is null || existing.Data.Count != 1 || !existing.Data.TryGetValue(DataKey, out var pem) || pem != caPem
            || existing.BinaryData is { Count: > 0 }
            || existing.Metadata.Annotations is null
            || !existing.Metadata.Annotations.TryGetValue(DescriptionAnnotation, out var description) || description != Description;
    }

    /// <summary>Puts the data back (a replace with the live resourceVersion: a concurrent write makes it retry).</summary>
    protected override Task UpdateAsync(V1ConfigMap existing, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(existing);
        var copy = ObjectCopy.Clone(existing);
        copy.Data = new Dictionary<string, string> { [DataKey] = caPem };
        copy.BinaryData = null;
        copy.Metadata.Annotations ??= new Dictionary<string, string>();
        copy.Metadata.Annotations[DescriptionAnnotation] = Description;
        return Client.CoreV1.ReplaceNamespacedConfigMapAsync(copy, copy.Metadata.Name, copy.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
    }
}
