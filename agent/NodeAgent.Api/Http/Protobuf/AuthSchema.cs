using static NodeAgent.Api.Http.Protobuf.ProtoField;

namespace NodeAgent.Api.Http.Protobuf;

/// <summary>
/// k8s.io/api authorization/v1 and authentication/v1 review messages (field numbers from their generated.proto):
/// kubectl auth can-i and auth whoami post them with the typed client's protobuf encoding.
/// </summary>
internal static class AuthSchema
{
    public static Dictionary<string, Dictionary<int, ProtoField>> Messages()
    {
        var m = new Dictionary<string, Dictionary<int, ProtoField>>(StringComparer.Ordinal)
        {
            ["SelfSubjectAccessReview"] = new() { [1] = Msg("metadata", "ObjectMeta"), [2] = Msg("spec", "SelfSubjectAccessReviewSpec"), [3] = Ignored("status") },
            ["SelfSubjectAccessReviewSpec"] = new() { [1] = Msg("resourceAttributes", "ResourceAttributes"), [2] = Msg("nonResourceAttributes", "NonResourceAttributes") },

            // fieldSelector (8) and labelSelector (9) narrow a list's question; this authorizer does not look at them.
            ["ResourceAttributes"] = new()
            {
                [1] = Str("namespace"),
                [2] = Str("verb"),
                [3] = Str("group"),
                [4] = Str("version"),
                [5] = Str("resource"),
                [6] = Str("subresource"),
                [7] = Str("name"),
                [8] = Ignored("fieldSelector"),
                [9] = Ignored("labelSelector"),
            },
            ["NonResourceAttributes"] = new() { [1] = Str("path"), [2] = Str("verb") },
            ["SubjectAccessReview"] = new() { [1] = Msg("metadata", "ObjectMeta"), [2] = Msg("spec", "SubjectAccessReviewSpec"), [3] = Ignored("status") },
            ["LocalSubjectAccessReview"] = new() { [1] = Msg("metadata", "ObjectMeta"), [2] = Msg("spec", "SubjectAccessReviewSpec"), [3] = Ignored("status") },

            // extra (5, map of string lists) has no field kind here: a protobuf SubjectAccessReview asks without it.
            ["SubjectAccessReviewSpec"] = new()
            {
                [1] = Msg("resourceAttributes", "ResourceAttributes"),
                [2] = Msg("nonResourceAttributes", "NonResourceAttributes"),
                [3] = Str("user"),
                [4] = Strs("groups"),
                [5] = Ignored("extra"),
                [6] = Str("uid"),
            },
            ["SelfSubjectRulesReview"] = new() { [1] = Msg("metadata", "ObjectMeta"), [2] = Msg("spec", "SelfSubjectRulesReviewSpec"), [3] = Ignored("status") },
            ["SelfSubjectRulesReviewSpec"] = new() { [1] = Str("namespace") },
            ["SelfSubjectReview"] = new() { [1] = Msg("metadata", "ObjectMeta"), [2] = Ignored("status") },
            ["TokenReview"] = new() { [1] = Msg("metadata", "ObjectMeta"), [2] = Msg("spec", "TokenReviewSpec"), [3] = Ignored("status") },
            ["TokenReviewSpec"] = new() { [1] = Str("token"), [2] = Strs("audiences") },
        };
        return m;
    }
}
