using k8s.Models;
using NodeAgent.Api.Resources.Core;

namespace NodeAgent.Api.Resources;

/// <summary>core/v1.</summary>
public static class CoreV1Resources
{
    public static IEnumerable<ResourceDefinition> All(ResourceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return
        [
            BuiltinResources.Define<V1Namespace, V1NamespaceList>("", "namespaces", false, new NamespaceStrategy(), ["ns"], subresources: ["status"]),
            BuiltinResources.Define<V1Pod, V1PodList>("", "pods", true, context.ServiceAccounts ? new Pods.ServiceAccountPodStrategy(new Pods.ServiceAccountAdmission(context.Store)) : new Pods.PodStrategy(), ["po"], ["all"], ["status", "binding", "log", "exec", "attach", "portforward"]),
            BuiltinResources.Define<V1Service, V1ServiceList>("", "services", true, new ServiceStrategy(context), ["svc"], ["all"], ["status"]),
            BuiltinResources.Define<V1Endpoints, V1EndpointsList>("", "endpoints", true, new EndpointsStrategy(), ["ep"]),
            BuiltinResources.Define<V1ConfigMap, V1ConfigMapList>("", "configmaps", true, new ConfigMapStrategy(), ["cm"]),
            BuiltinResources.Define<V1Secret, V1SecretList>("", "secrets", true, new SecretStrategy()),
            BuiltinResources.Define<V1ServiceAccount, V1ServiceAccountList>("", "serviceaccounts", true, new ServiceAccountStrategy(), ["sa"], subresources: context.ServiceAccounts ? ["token"] : []),
            BuiltinResources.Define<Corev1Event, Corev1EventList>("", "events", true, new EventStrategy(), ["ev"]),
            BuiltinResources.Define<V1Node, V1NodeList>("", "nodes", false, new NodeStrategy(), ["no"], subresources: ["status"]),
        ];
    }
}
