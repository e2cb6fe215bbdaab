namespace NodeAgent.Api.Patching.Schema;

/// <summary>
/// Patch metadata of the built-in kinds, transcribed from the patchStrategy/patchMergeKey tags and
/// listType/listMapKeys markers of k8s.io/api core/v1, apps/v1, batch/v1 and metav1 (see docs/patching.md).
/// Fields not listed here are plain: maps merge, lists are replaced (atomic).
/// </summary>
internal static class BuiltinSchemas
{
    private static readonly ListKey ProtocolTcp = new("protocol", "TCP");

    public static readonly SchemaNode ObjectMeta = Obj(
        ("finalizers", Set()),
        ("ownerReferences", Keyed("uid")));

    private static readonly SchemaNode Container = Obj(
        ("ports", Keyed("containerPort", listKeys: [new ListKey("containerPort"), ProtocolTcp])),
        ("env", Keyed("name")),
        ("volumeMounts", Keyed("mountPath")),
        ("volumeDevices", Keyed("devicePath")));

    private static readonly SchemaNode PodSpec = Obj(
        ("containers", Keyed("name", Container)),
        ("initContainers", Keyed("name", Container)),
        ("ephemeralContainers", Keyed("name", Container)),
        ("volumes", Keyed("name", retainKeys: true)),
        ("imagePullSecrets", Keyed("name")),
        ("hostAliases", Keyed("ip")),
        ("topologySpreadConstraints", Keyed("topologyKey", listKeys: [new ListKey("topologyKey"), new ListKey("whenUnsatisfiable")])),
        ("schedulingGates", Keyed("name")),
        ("resourceClaims", Keyed("name", retainKeys: true)));

    private static readonly SchemaNode PodStatus = Obj(
        ("conditions", Keyed("type")),
        ("podIPs", Keyed("ip")),
        ("hostIPs", Keyed("ip")),
        ("resourceClaimStatuses", Keyed("name", retainKeys: true)));

    private static readonly SchemaNode PodTemplateSpec = Obj(
        ("metadata", Map(ObjectMeta)),
        ("spec", Map(PodSpec)));

    private static readonly SchemaNode ConditionsStatus = Obj(("conditions", Keyed("type")));

    // LabelSelector is +structType=atomic: apply owns a selector as one value.
    private static readonly FieldMeta AtomicMap = new(Atomic: true);

    private static readonly SchemaNode JobSpec = Obj(
        ("selector", AtomicMap),
        ("template", Map(PodTemplateSpec)));

    private static readonly Dictionary<string, SchemaNode> Kinds = new(StringComparer.Ordinal)
    {
        ["v1/Pod"] = Top(("spec", Map(PodSpec)), ("status", Map(PodStatus))),
        ["v1/Service"] = Top(
            ("spec", Map(Obj(
                ("ports", Keyed("port", listKeys: [new ListKey("port"), ProtocolTcp])),
                ("selector", AtomicMap)))),
            ("status", Map(ConditionsStatus))),
        ["v1/Endpoints"] = Top(),
        ["v1/ConfigMap"] = Top(),
        ["v1/Secret"] = Top(),
        ["v1/ServiceAccount"] = Top(("secrets", Keyed("name"))),
        ["v1/Namespace"] = Top(("status", Map(ConditionsStatus))),
        ["v1/Node"] = Top(
            ("spec", Map(Obj(("podCIDRs", Set())))),
            ("status", Map(Obj(("conditions", Keyed("type")), ("addresses", Keyed("type")))))),
        ["v1/Event"] = Top(),
        ["events.k8s.io/v1/Event"] = Top(),
        ["apps/v1/Deployment"] = Top(
            ("spec", Map(Obj(
                ("selector", AtomicMap),
                ("template", Map(PodTemplateSpec)),
                ("strategy", new FieldMeta(RetainKeys: true))))),
            ("status", Map(ConditionsStatus))),
        ["apps/v1/ReplicaSet"] = Top(
            ("spec", Map(Obj(("selector", AtomicMap), ("template", Map(PodTemplateSpec))))),
            ("status", Map(ConditionsStatus))),
        ["batch/v1/Job"] = Top(("spec", Map(JobSpec)), ("status", Map(ConditionsStatus))),
        ["batch/v1/CronJob"] = Top(
            ("spec", Map(Obj(("jobTemplate", Map(Obj(("metadata", Map(ObjectMeta)), ("spec", Map(JobSpec))))))))),
        ["discovery.k8s.io/v1/EndpointSlice"] = Top(),
        ["coordination.k8s.io/v1/Lease"] = Top(),
    };

    /// <summary>Any other kind (custom resources): only metadata is known, every other list is atomic.</summary>
    public static readonly SchemaNode Unknown = Top();

    public static SchemaNode? Find(string apiVersion, string kind) => Kinds.GetValueOrDefault(apiVersion + "/" + kind);

    private static SchemaNode Top(params (string Name, FieldMeta Meta)[] fields) =>
        Obj([("metadata", Map(ObjectMeta)), .. fields]);

    private static SchemaNode Obj(params (string Name, FieldMeta Meta)[] fields) =>
        new(fields.ToDictionary(f => f.Name, f => f.Meta, StringComparer.Ordinal));

    private static FieldMeta Map(SchemaNode child) => new(Child: child);

    private static FieldMeta Set() => new(Merge: true);

    private static FieldMeta Keyed(string key, SchemaNode? item = null, bool retainKeys = false, IReadOnlyList<ListKey>? listKeys = null) =>
        new(Merge: true, MergeKey: key, RetainKeys: retainKeys, Child: item, ListKeys: listKeys);
}
