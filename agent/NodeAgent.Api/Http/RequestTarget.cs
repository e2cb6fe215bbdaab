using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Http;

/// <summary>
/// What a resource URL names: the resource, the namespace (null for cluster-scoped objects or a list
/// across namespaces), the object name and subresource (null for the collection), and the legacy
/// <c>/watch/</c> prefix.
/// </summary>
public sealed record RequestTarget(ResourceDefinition Resource, string? Namespace, string? Name, string? Subresource, bool WatchPrefix)
{
    /// <summary>
    /// Parses the segments after <c>/api</c> or <c>/apis</c>: <c>v1/…</c> or <c>{group}/{version}/…</c>, then
    /// <c>[watch/]namespaces/{ns}/{plural}[/{name}[/{sub}]]</c> or <c>[watch/]{plural}[/{name}[/{sub}]]</c>.
    /// Null for anything that names no resource (the router answers 404).
    /// </summary>
    public static RequestTarget? Parse(IReadOnlyList<ResourceDefinition> resources, bool legacy, IReadOnlyList<string> segments)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(segments);
        var group = legacy ? "" : segments.Count > 0 ? segments[0] : "";
        var at = legacy ? 0 : 1;
        if (segments.Count <= at + 1)
        {
            return null;
        }

        var version = segments[at];
        var rest = segments.Skip(at + 1).ToList();
        var watch = false;
        if (rest[0] == "watch")
        {
            watch = true;
            rest.RemoveAt(0);
        }

        ResourceDefinition? Find(string plural) =>
            resources.FirstOrDefault(r => r.Group == group && r.Version == version && r.Plural == plural);

        if (rest.Count == 0 || rest.Any(s => s.Length == 0))
        {
            return null;
        }

        if (rest[0] == "namespaces" && rest.Count >= 3 && !IsNamespaceSubresource(Find("namespaces"), rest[2], rest.Count))
        {
            // namespaces/{ns}/{plural}[/{name}[/{subresource}]]
            var namespaced = Find(rest[2]);
            if (namespaced is null || !namespaced.Namespaced || rest.Count > 5)
            {
                return null;
            }

            return new RequestTarget(namespaced, rest[1], rest.Count > 3 ? rest[3] : null, rest.Count > 4 ? rest[4] : null, watch);
        }

        var resource = Find(rest[0]);
        if (resource is null || rest.Count > 3)
        {
            return null;
        }

        if (resource.Namespaced && rest.Count > 1)
        {
            // A namespaced resource without a namespace is only a list across namespaces.
            return null;
        }

        return new RequestTarget(resource, null, rest.Count > 1 ? rest[1] : null, rest.Count > 2 ? rest[2] : null, watch);
    }

    /// <summary><c>namespaces/{name}/status</c> is the namespace's subresource, not a namespaced resource called "status".</summary>
    private static bool IsNamespaceSubresource(ResourceDefinition? namespaces, string segment, int count) =>
        count == 3 && namespaces is not null && (namespaces.HasSubresource(segment) || segment == "finalize");
}
