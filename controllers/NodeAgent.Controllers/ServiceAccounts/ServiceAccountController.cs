using k8s;
using k8s.Models;
using NodeAgent.Controllers.Machinery;

namespace NodeAgent.Controllers.ServiceAccounts;

/// <summary>Upstream's ServiceAccount controller: every active namespace has a "default" ServiceAccount.</summary>
public sealed class ServiceAccountController(ServiceAccountControllerOptions options) : NamespaceObjectPublisher<V1ServiceAccount>(options)
{
    public const string DefaultName = "default";

    protected override string Name => "serviceaccount";

    protected override string ObjectName => DefaultName;

    protected override ListWatch<V1ServiceAccount> ListWatch(IKubernetes client, string fieldSelector) => ListWatches.ServiceAccounts(client, fieldSelector);

    protected override Task CreateAsync(string ns, CancellationToken cancellationToken)
        => Client.CoreV1.CreateNamespacedServiceAccountAsync(
            new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = DefaultName, NamespaceProperty = ns } }, ns, cancellationToken: cancellationToken);
}
