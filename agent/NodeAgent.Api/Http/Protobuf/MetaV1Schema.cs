using static NodeAgent.Api.Http.Protobuf.ProtoField;

namespace NodeAgent.Api.Http.Protobuf;

/// <summary>k8s.io/apimachinery pkg/apis/meta/v1 messages (field numbers from its generated.proto).</summary>
internal static class MetaV1Schema
{
    public static Dictionary<string, Dictionary<int, ProtoField>> Messages() => new(StringComparer.Ordinal)
    {
        ["ObjectMeta"] = new()
        {
            [1] = Str("name"),
            [2] = Str("generateName"),
            [3] = Str("namespace"),
            [4] = Str("selfLink"),
            [5] = Str("uid"),
            [6] = Str("resourceVersion"),
            [7] = Long("generation"),
            [8] = Time("creationTimestamp"),
            [9] = Time("deletionTimestamp"),
            [10] = LongPtr("deletionGracePeriodSeconds"),
            [11] = Map("labels"),
            [12] = Map("annotations"),
            [13] = Msgs("ownerReferences", "OwnerReference"),
            [14] = Strs("finalizers"),
            [17] = Msgs("managedFields", "ManagedFieldsEntry"),
        },
        ["OwnerReference"] = new()
        {
            [1] = Str("kind"),
            [3] = Str("name"),
            [4] = Str("uid"),
            [5] = Str("apiVersion"),
            [6] = FlagPtr("controller"),
            [7] = FlagPtr("blockOwnerDeletion"),
        },
        ["ManagedFieldsEntry"] = new()
        {
            [1] = Str("manager"),
            [2] = Str("operation"),
            [3] = Str("apiVersion"),
            [4] = Time("time"),
            [6] = Str("fieldsType"),
            [7] = new("fieldsV1", ProtoKind.FieldsV1),
            [8] = Str("subresource"),
        },
        ["LabelSelector"] = new()
        {
            [1] = Map("matchLabels"),
            [2] = Msgs("matchExpressions", "LabelSelectorRequirement"),
        },
        ["LabelSelectorRequirement"] = new()
        {
            [1] = Str("key"),
            [2] = Str("operator"),
            [3] = Strs("values"),
        },
    };
}
