using k8s.Models;

namespace NodeAgent.Api.Resources;

/// <summary>apps/v1.</summary>
public static class AppsV1Resources
{
    public static IEnumerable<ResourceDefinition> All(ResourceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return
        [
            BuiltinResources.Define<V1Deployment, V1DeploymentList>("apps", "deployments", true, new Apps.DeploymentStrategy(), ["deploy"], ["all"], ["status", "scale"]),
            BuiltinResources.Define<V1ReplicaSet, V1ReplicaSetList>("apps", "replicasets", true, new Apps.ReplicaSetStrategy(), ["rs"], ["all"], ["status", "scale"]),
        ];
    }
}
