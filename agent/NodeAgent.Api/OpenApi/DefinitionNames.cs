using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using k8s.Models;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.OpenApi;

/// <summary>
/// Upstream definition names for KubernetesClient models: <c>io.k8s.api.&lt;package&gt;.&lt;version&gt;.&lt;Name&gt;</c>
/// for k8s.io/api types, <c>io.k8s.apimachinery.pkg.apis.meta.v1.&lt;Name&gt;</c> for metav1 and the
/// apimachinery names of IntOrString and Quantity. The client's class name carries the version
/// (<c>V1</c>, <c>V1beta1</c>) and, where two groups share a name, the group (<c>Corev1Event</c>,
/// <c>Eventsv1Event</c>); top-level kinds carry their group in <c>KubeGroup</c>; other nested types
/// come from core/v1 unless listed under their package below.
/// </summary>
internal static partial class DefinitionNames
{
    public const string IntOrStringDefinition = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
    public const string QuantityDefinition = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    public const string MetaPrefix = "io.k8s.apimachinery.pkg.apis.meta.v1.";
    public const string Patch = MetaPrefix + "Patch";
    public const string Status = MetaPrefix + "Status";
    public const string DeleteOptions = MetaPrefix + "DeleteOptions";

    private static readonly HashSet<string> MetaTypes = new(StringComparer.Ordinal)
    {
        "APIGroup", "APIGroupList", "APIResource", "APIResourceList", "APIVersions", "Condition", "DeleteOptions",
        "FieldSelectorRequirement", "GroupVersionForDiscovery", "LabelSelector", "LabelSelectorRequirement", "ListMeta",
        "ManagedFieldsEntry", "ObjectMeta", "OwnerReference", "Preconditions", "ServerAddressByClientCIDR", "Status",
        "StatusCause", "StatusDetails", "WatchEvent",
    };

    // Nested types of the non-core groups we serve; their classes carry no group (V1JobSpec).
    private static readonly Dictionary<string, string> NestedTypePackages = new(StringComparer.Ordinal)
    {
        ["DeploymentSpec"] = "apps", ["DeploymentStatus"] = "apps", ["DeploymentStrategy"] = "apps",
        ["DeploymentCondition"] = "apps", ["RollingUpdateDeployment"] = "apps", ["ReplicaSetSpec"] = "apps",
        ["ReplicaSetStatus"] = "apps", ["ReplicaSetCondition"] = "apps",
        ["JobSpec"] = "batch", ["JobStatus"] = "batch", ["JobCondition"] = "batch", ["JobTemplateSpec"] = "batch",
        ["CronJobSpec"] = "batch", ["CronJobStatus"] = "batch", ["PodFailurePolicy"] = "batch",
        ["PodFailurePolicyRule"] = "batch", ["PodFailurePolicyOnExitCodesRequirement"] = "batch",
        ["PodFailurePolicyOnPodConditionsPattern"] = "batch", ["SuccessPolicy"] = "batch",
        ["SuccessPolicyRule"] = "batch", ["UncountedTerminatedPods"] = "batch",
        ["Endpoint"] = "discovery", ["EndpointConditions"] = "discovery", ["EndpointHints"] = "discovery",
        ["ForZone"] = "discovery", ["ForNode"] = "discovery",
        ["LeaseSpec"] = "coordination",
        ["ScaleSpec"] = "autoscaling", ["ScaleStatus"] = "autoscaling",
    };

    /// <summary>The definition name of a model type, or null when it is not a KubernetesClient model.</summary>
    public static string? Of([DynamicallyAccessedMembers(ModelTypes.Members)] Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type == typeof(IntOrString))
        {
            return IntOrStringDefinition;
        }

        if (type == typeof(ResourceQuantity))
        {
            return QuantityDefinition;
        }

        if (type.Namespace != "k8s.Models" || !type.IsClass)
        {
            return null;
        }

        var match = VersionedClassName().Match(type.Name);
        if (!match.Success)
        {
            return null;
        }

        var version = match.Groups["version"].Value.ToLowerInvariant();
        var name = match.Groups["name"].Value;
        if (MetaTypes.Contains(name) && version == "v1")
        {
            return MetaPrefix + name;
        }

        var package = match.Groups["group"].Success
            ? match.Groups["group"].Value.ToLowerInvariant()
            : type.GetField("KubeGroup")?.GetValue(null) is string group && group.Length > 0
                ? PackageOfGroup(group)
                : NestedTypePackages.GetValueOrDefault(name, "core");
        return $"io.k8s.api.{package}.{version}.{name}";
    }

    /// <summary>"apps" → apps, "discovery.k8s.io" → discovery (the Go package under k8s.io/api).</summary>
    public static string PackageOfGroup(string group)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (group.Length == 0)
        {
            return "core";
        }

        var dot = group.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? group : group[..dot];
    }

    [GeneratedRegex(@"^(?<group>[A-Z][a-z]+)?(?<version>[Vv]\d+(?:(?:alpha|beta)\d+)?)(?<name>[A-Z]\w*)$")]
    private static partial Regex VersionedClassName();
}
