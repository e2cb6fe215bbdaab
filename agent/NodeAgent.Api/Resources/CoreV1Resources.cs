using k8s.Models;

namespace NodeAgent.Api.Resources;

/// <summary>core/v1.</summary>
public static class CoreV1Resources
{
    public static IEnumerable<ResourceDefinition> All(ResourceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return
        [
            BuiltinResources.Define<V1Namespace, V1NamespaceList>("", "namespaces", false, new GenericStrategy<V1Namespace>(), ["ns"], subresources: ["status"]),
            BuiltinResources.Define<V1Pod, V1PodList>("", "pods", true, new Pods.PodStrategy(), ["po"], ["all"], ["status", "binding"]),
            BuiltinResources.Define<V1Service, V1ServiceList>("", "services", true, new GenericStrategy<V1Service>(), ["svc"], ["all"], ["status"]),
            BuiltinResources.Define<V1Endpoints, V1EndpointsList>("", "endpoints", true, new GenericStrategy<V1Endpoints>(), ["ep"]),
            BuiltinResources.Define<V1ConfigMap, V1ConfigMapList>("", "configmaps", true, new GenericStrategy<V1ConfigMap>(), ["cm"]),
            BuiltinResources.Define<V1Secret, V1SecretList>("", "secrets", true, new GenericStrategy<V1Secret>()),
            BuiltinResources.Define<V1ServiceAccount, V1ServiceAccountList>("", "serviceaccounts", true, new GenericStrategy<V1ServiceAccount>(), ["sa"]),
            BuiltinResources.Define<Corev1Event, Corev1EventList>("", "events", true, new GenericStrategy<Corev1Event>(), ["ev"]),
            BuiltinResources.Define<V1Node, V1NodeList>("", "nodes", false, new GenericStrategy<V1Node>(), ["no"], subresources: ["status"]),
        ];
    }
}
