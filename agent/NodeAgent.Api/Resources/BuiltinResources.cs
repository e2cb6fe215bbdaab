namespace NodeAgent.Api.Resources;

/// <summary>Every resource the API server serves, group by group (one file per group owns its strategies).</summary>
public static class BuiltinResources
{
    public static IReadOnlyList<ResourceDefinition> All() =>
    [
        .. CoreV1Resources.All(),
        .. AppsV1Resources.All(),
        .. BatchV1Resources.All(),
        .. ClusterV1Resources.All(),
    ];

    internal static ResourceDefinition Define<T, TList>(
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
