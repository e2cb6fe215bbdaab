using System.Diagnostics.CodeAnalysis;

namespace NodeAgent.Api.Resources;

/// <summary>Every resource the API server serves, group by group (one file per group owns its strategies).</summary>
public static class BuiltinResources
{
    public static IReadOnlyList<ResourceDefinition> All(ResourceContext context) =>
    [
        .. CoreV1Resources.All(context),
        .. AppsV1Resources.All(context),
        .. BatchV1Resources.All(context),
        .. ClusterV1Resources.All(context),
        .. ReviewResources.All(),
    ];

    internal static ResourceDefinition Define<[DynamicallyAccessedMembers(ModelTypes.Members)] T, [DynamicallyAccessedMembers(ModelTypes.Members)] TList>(
        string group,
        string plural,
        bool namespaced,
        IResourceStrategy strategy,
        string[]? shortNames = null,
        string[]? categories = null,
        string[]? subresources = null,
        string version = "v1")
    {
        var kind = typeof(T).GetField("KubeKind")?.GetValue(null) as string ?? typeof(T).Name;
        return new ResourceDefinition(
            group, version, kind, plural, kind.ToLowerInvariant(), namespaced, typeof(T), typeof(TList),
            shortNames ?? [], categories ?? [], subresources ?? [], strategy);
    }
}
