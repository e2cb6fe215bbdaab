namespace NodeAgent.Api.OpenApi;

/// <summary>
/// The <c>required</c> lists of upstream's OpenAPI for the types our kinds use, where the client
/// model cannot tell (its strings and object references are all nullable; required value types are
/// found by reflection), and the structs upstream marks <c>x-kubernetes-map-type: atomic</c>.
/// Transcribed from the <c>+required</c>/<c>+structType=atomic</c> markers of k8s.io/api.
/// </summary>
internal static class RequiredFields
{
    private const string Core = "io.k8s.api.core.v1.";
    private const string Meta = DefinitionNames.MetaPrefix;

    private static readonly Dictionary<string, string[]> Required = new(StringComparer.Ordinal)
    {
        [Core + "Binding"] = ["target"],
        [Core + "ConfigMapKeySelector"] = ["key"],
        [Core + "Container"] = ["name"],
        [Core + "ContainerStatus"] = ["name", "ready", "restartCount", "image", "imageID"],
        [Core + "EndpointAddress"] = ["ip"],
        [Core + "EndpointPort"] = ["port"],
        [Core + "EnvVar"] = ["name"],
        [Core + "EphemeralContainer"] = ["name"],
        [Core + "Event"] = ["metadata", "involvedObject"],
        [Core + "GRPCAction"] = ["port"],
        [Core + "HTTPGetAction"] = ["port"],
        [Core + "HTTPHeader"] = ["name", "value"],
        [Core + "HostAlias"] = ["ip"],
        [Core + "HostIP"] = ["ip"],
        [Core + "HostPathVolumeSource"] = ["path"],
        [Core + "KeyToPath"] = ["key", "path"],
        [Core + "NamespaceCondition"] = ["type", "status"],
        [Core + "NodeAddress"] = ["type", "address"],
        [Core + "NodeCondition"] = ["type", "status"],
        [Core + "NodeSelector"] = ["nodeSelectorTerms"],
        [Core + "NodeSelectorRequirement"] = ["key", "operator"],
        [Core + "ObjectFieldSelector"] = ["fieldPath"],
        [Core + "PersistentVolumeClaimVolumeSource"] = ["claimName"],
        [Core + "PodAffinityTerm"] = ["topologyKey"],
        [Core + "PodCondition"] = ["type", "status"],
        [Core + "PodIP"] = ["ip"],
        [Core + "PodSpec"] = ["containers"],
        [Core + "PreferredSchedulingTerm"] = ["weight", "preference"],
        [Core + "ResourceFieldSelector"] = ["resource"],
        [Core + "SecretKeySelector"] = ["key"],
        [Core + "ServicePort"] = ["port"],
        [Core + "TCPSocketAction"] = ["port"],
        [Core + "Taint"] = ["key", "effect"],
        [Core + "TopologySpreadConstraint"] = ["maxSkew", "topologyKey", "whenUnsatisfiable"],
        [Core + "Volume"] = ["name"],
        [Core + "VolumeDevice"] = ["name", "devicePath"],
        [Core + "VolumeMount"] = ["name", "mountPath"],
        [Core + "WeightedPodAffinityTerm"] = ["weight", "podAffinityTerm"],
        [Meta + "Condition"] = ["type", "status", "lastTransitionTime", "reason", "message"],
        [Meta + "LabelSelectorRequirement"] = ["key", "operator"],
        [Meta + "OwnerReference"] = ["apiVersion", "kind", "name", "uid"],
        ["io.k8s.api.apps.v1.DeploymentCondition"] = ["type", "status"],
        ["io.k8s.api.apps.v1.DeploymentSpec"] = ["selector", "template"],
        ["io.k8s.api.apps.v1.ReplicaSetCondition"] = ["type", "status"],
        ["io.k8s.api.apps.v1.ReplicaSetSpec"] = ["selector"],
        ["io.k8s.api.batch.v1.CronJobSpec"] = ["schedule", "jobTemplate"],
        ["io.k8s.api.batch.v1.JobCondition"] = ["type", "status"],
        ["io.k8s.api.batch.v1.JobSpec"] = ["template"],
        ["io.k8s.api.batch.v1.PodFailurePolicy"] = ["rules"],
        ["io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement"] = ["operator", "values"],
        ["io.k8s.api.batch.v1.PodFailurePolicyRule"] = ["action"],
        ["io.k8s.api.batch.v1.SuccessPolicy"] = ["rules"],
        ["io.k8s.api.discovery.v1.Endpoint"] = ["addresses"],
        ["io.k8s.api.discovery.v1.EndpointSlice"] = ["addressType", "endpoints"],
        ["io.k8s.api.discovery.v1.ForNode"] = ["name"],
        ["io.k8s.api.discovery.v1.ForZone"] = ["name"],
        ["io.k8s.api.events.v1.Event"] = ["eventTime"],
        ["io.k8s.api.events.v1.EventSeries"] = ["count", "lastObservedTime"],
    };

    private static readonly HashSet<string> AtomicStructs = new(StringComparer.Ordinal)
    {
        Core + "ConfigMapKeySelector", Core + "LocalObjectReference", Core + "NodeSelector", Core + "NodeSelectorTerm",
        Core + "ObjectFieldSelector", Core + "ObjectReference", Core + "ResourceFieldSelector", Core + "SecretKeySelector",
        Core + "TypedLocalObjectReference", Meta + "LabelSelector",
    };

    public static IReadOnlySet<string> Of(string definition) =>
        Required.TryGetValue(definition, out var fields) ? fields.ToHashSet(StringComparer.Ordinal) : EmptySet;

    /// <summary>Upstream's <c>x-kubernetes-map-type: atomic</c> structs (apply owns them as one value).</summary>
    public static bool IsAtomicStruct(string definition) => AtomicStructs.Contains(definition);

    private static readonly HashSet<string> EmptySet = new(StringComparer.Ordinal);
}
