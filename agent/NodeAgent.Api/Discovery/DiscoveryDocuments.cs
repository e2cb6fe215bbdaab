using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Discovery;

/// <summary>
/// The discovery documents, built from the resource definitions in the shapes upstream serves:
/// <c>version.Info</c>, <c>APIVersions</c>, <c>APIGroupList</c>, <c>APIGroup</c>, <c>APIResourceList</c>
/// and the aggregated <c>apidiscovery.k8s.io</c> <c>APIGroupDiscoveryList</c>.
/// </summary>
public static class DiscoveryDocuments
{
    private static readonly string[] ResourceVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
    private static readonly string[] SubresourceVerbs = ["get", "patch", "update"];

    public static JsonObject Version(string gitVersion, DateTimeOffset buildDate)
    {
        ArgumentNullException.ThrowIfNull(gitVersion);
        var numbers = gitVersion.TrimStart('v').Split('.', '+', '-');
        return new JsonObject
        {
            ["major"] = numbers.Length > 0 ? numbers[0] : "1",
            ["minor"] = numbers.Length > 1 ? numbers[1] : "0",
            ["gitVersion"] = gitVersion,
            ["gitCommit"] = "",
            ["gitTreeState"] = "clean",
            ["buildDate"] = buildDate.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["goVersion"] = RuntimeInformation.FrameworkDescription,
            ["compiler"] = "dotnet",
            ["platform"] = $"linux/{Architecture()}",
        };
    }

    public static JsonObject ApiVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    /// <summary>The named groups (not the core one), in the order of the definitions.</summary>
    public static IReadOnlyList<string> Groups(IReadOnlyList<ResourceDefinition> resources) =>
        resources.Where(r => r.Group.Length > 0).Select(r => r.Group).Distinct(StringComparer.Ordinal).ToList();

    public static JsonObject GroupList(IReadOnlyList<ResourceDefinition> resources)
    {
        var groups = new JsonArray();
        foreach (var group in Groups(resources))
        {
            groups.Add((JsonNode)Group(resources, group));
        }

        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    public static JsonObject Group(IReadOnlyList<ResourceDefinition> resources, string group)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var versions = resources.Where(r => r.Group == group).Select(r => r.Version).Distinct(StringComparer.Ordinal).ToList();
        JsonObject GroupVersion(string v) => new() { ["groupVersion"] = $"{group}/{v}", ["version"] = v };
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = group,
            ["versions"] = new JsonArray([.. versions.Select(GroupVersion)]),
            ["preferredVersion"] = GroupVersion(versions[0]),
        };
    }

    public static JsonObject ResourceList(IReadOnlyList<ResourceDefinition> resources, string group, string version)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var items = new JsonArray();
        foreach (var resource in InGroupVersion(resources, group, version))
        {
            var entry = new JsonObject
            {
                ["name"] = resource.Plural,
                ["singularName"] = resource.Singular,
                ["namespaced"] = resource.Namespaced,
                ["kind"] = resource.Kind,
                ["verbs"] = Strings(resource.Verbs ?? ResourceVerbs),
            };
            if (resource.ShortNames.Count > 0)
            {
                entry["shortNames"] = Strings(resource.ShortNames);
            }

            if (resource.Categories.Count > 0)
            {
                entry["categories"] = Strings(resource.Categories);
            }

            items.Add((JsonNode)entry);
            foreach (var sub in resource.Subresources.Order(StringComparer.Ordinal))
            {
                var (subGroup, subVersion, subKind, verbs) = Subresource(resource, sub);
                var subEntry = new JsonObject
                {
                    ["name"] = $"{resource.Plural}/{sub}",
                    ["singularName"] = "",
                    ["namespaced"] = resource.Namespaced,
                };
                if (subGroup != resource.Group || subVersion != resource.Version)
                {
                    subEntry["group"] = subGroup;
                    subEntry["version"] = subVersion;
                }

                subEntry["kind"] = subKind;
                subEntry["verbs"] = Strings(verbs);
                items.Add((JsonNode)subEntry);
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = items,
        };
    }

    /// <summary>Aggregated discovery for <c>/api</c> (<paramref name="legacy"/>) or <c>/apis</c>, in apidiscovery.k8s.io/<paramref name="discoveryVersion"/>.</summary>
    public static JsonObject Aggregated(IReadOnlyList<ResourceDefinition> resources, bool legacy, string discoveryVersion)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var items = new JsonArray();
        IEnumerable<string> groups = legacy ? [""] : Groups(resources);
        foreach (var group in groups)
        {
            var versions = new JsonArray();
            foreach (var version in resources.Where(r => r.Group == group).Select(r => r.Version).Distinct(StringComparer.Ordinal))
            {
                var list = new JsonArray();
                foreach (var resource in InGroupVersion(resources, group, version))
                {
                    list.Add((JsonNode)AggregatedResource(resource));
                }

                versions.Add((JsonNode)new JsonObject { ["version"] = version, ["resources"] = list, ["freshness"] = "Current" });
            }

            var metadata = new JsonObject { ["creationTimestamp"] = null };
            if (group.Length > 0)
            {
                metadata["name"] = group;
            }

            items.Add((JsonNode)new JsonObject { ["metadata"] = metadata, ["versions"] = versions });
        }

        return new JsonObject
        {
            ["kind"] = "APIGroupDiscoveryList",
            ["apiVersion"] = $"apidiscovery.k8s.io/{discoveryVersion}",
            ["metadata"] = new JsonObject(),
            ["items"] = items,
        };
    }

    private static JsonObject AggregatedResource(ResourceDefinition resource)
    {
        var entry = new JsonObject
        {
            ["resource"] = resource.Plural,
            ["responseKind"] = Kind(resource.Group, resource.Version, resource.Kind),
            ["scope"] = resource.Namespaced ? "Namespaced" : "Cluster",
            ["singularResource"] = resource.Singular,
            ["verbs"] = Strings(resource.Verbs ?? ResourceVerbs),
        };
        if (resource.ShortNames.Count > 0)
        {
            entry["shortNames"] = Strings(resource.ShortNames);
        }

        if (resource.Categories.Count > 0)
        {
            entry["categories"] = Strings(resource.Categories);
        }

        if (resource.Subresources.Count > 0)
        {
            var subs = new JsonArray();
            foreach (var sub in resource.Subresources.Order(StringComparer.Ordinal))
            {
                var (group, version, kind, verbs) = Subresource(resource, sub);
                subs.Add((JsonNode)new JsonObject
                {
                    ["subresource"] = sub,
                    ["responseKind"] = Kind(group, version, kind),
                    ["verbs"] = Strings(verbs),
                });
            }

            entry["subresources"] = subs;
        }

        return entry;
    }

    private static (string Group, string Version, string Kind, string[] Verbs) Subresource(ResourceDefinition resource, string name) => name switch
    {
        "scale" => ("autoscaling", "v1", "Scale", SubresourceVerbs),
        "binding" => ("", "v1", "Binding", ["create"]),
        "token" => ("authentication.k8s.io", "v1", "TokenRequest", ["create"]),
        "log" => ("", "v1", "Pod", ["get"]),
        "exec" => ("", "v1", "PodExecOptions", ["create", "get"]),
        "attach" => ("", "v1", "PodAttachOptions", ["create", "get"]),
        "portforward" => ("", "v1", "PodPortForwardOptions", ["create", "get"]),
        _ => (resource.Group, resource.Version, resource.Kind, SubresourceVerbs),
    };

    private static IEnumerable<ResourceDefinition> InGroupVersion(IReadOnlyList<ResourceDefinition> resources, string group, string version) =>
        resources.Where(r => r.Group == group && r.Version == version).OrderBy(r => r.Plural, StringComparer.Ordinal);

    private static JsonObject Kind(string group, string version, string kind) =>
        new() { ["group"] = group, ["version"] = version, ["kind"] = kind };

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);

    private static string Architecture() => RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        var other => other.ToString().ToLowerInvariant(),
    };
}
