using System.Collections.Frozen;

namespace NodeAgent.Api.Http.Protobuf;

/// <summary>All message tables by name, and which message a kind's body is.</summary>
internal static class ProtobufSchema
{
    public static FrozenDictionary<string, FrozenDictionary<int, ProtoField>> Messages { get; } = Build();

    /// <summary>(API group, kind) → top-level message; the kinds kubectl's generator commands create.</summary>
    public static FrozenDictionary<(string Group, string Kind), string> Roots { get; } = new Dictionary<(string, string), string>
    {
        [("", "Namespace")] = "Namespace",
        [("", "ConfigMap")] = "ConfigMap",
        [("", "Secret")] = "Secret",
        [("", "ServiceAccount")] = "ServiceAccount",
        [("", "Service")] = "Service",
        [("", "Pod")] = "Pod",
        [("apps", "Deployment")] = "Deployment",
        [("batch", "Job")] = "Job",
        [("batch", "CronJob")] = "CronJob",
        [("authentication.k8s.io", "TokenRequest")] = "TokenRequest",
        [("authentication.k8s.io", "TokenReview")] = "TokenReview",
        [("authentication.k8s.io", "SelfSubjectReview")] = "SelfSubjectReview",
        [("authorization.k8s.io", "SelfSubjectAccessReview")] = "SelfSubjectAccessReview",
        [("authorization.k8s.io", "SelfSubjectRulesReview")] = "SelfSubjectRulesReview",
        [("authorization.k8s.io", "SubjectAccessReview")] = "SubjectAccessReview",
        [("authorization.k8s.io", "LocalSubjectAccessReview")] = "LocalSubjectAccessReview",
    }.ToFrozenDictionary();

    private static FrozenDictionary<string, FrozenDictionary<int, ProtoField>> Build()
    {
        var all = new Dictionary<string, FrozenDictionary<int, ProtoField>>(StringComparer.Ordinal);
        foreach (var part in new[] { MetaV1Schema.Messages(), CoreV1Schema.Messages(), WorkloadsSchema.Messages(), AuthSchema.Messages() })
        {
            foreach (var (name, fields) in part)
            {
                all.Add(name, fields.ToFrozenDictionary());
            }
        }

        return all.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
