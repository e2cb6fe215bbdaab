using System.Diagnostics.CodeAnalysis;
using k8s;
using k8s.Models;

namespace NodeAgent.Api.Resources;

/// <summary>
/// The create-only reviews of authentication.k8s.io and authorization.k8s.io: each POST is answered from the request
/// (who is asking, what the authorizer or authenticators say) and nothing is stored, so they have no list, watch or
/// object URLs. The strategy is never called; it exists because every definition has one.
/// </summary>
public static class ReviewResources
{
    private static readonly string[] CreateOnly = ["create"];

    public static IEnumerable<ResourceDefinition> All() =>
    [
        Review<V1TokenReview>("authentication.k8s.io", "tokenreviews", namespaced: false),
        Review<V1SelfSubjectReview>("authentication.k8s.io", "selfsubjectreviews", namespaced: false),

        // kubectl 1.27's auth whoami knows only v1beta1 (and v1alpha1); the object is the same as v1's.
        Review<V1SelfSubjectReview>("authentication.k8s.io", "selfsubjectreviews", namespaced: false, version: "v1beta1"),
        Review<V1LocalSubjectAccessReview>("authorization.k8s.io", "localsubjectaccessreviews", namespaced: true),
        Review<V1SelfSubjectAccessReview>("authorization.k8s.io", "selfsubjectaccessreviews", namespaced: false),
        Review<V1SelfSubjectRulesReview>("authorization.k8s.io", "selfsubjectrulesreviews", namespaced: false),
        Review<V1SubjectAccessReview>("authorization.k8s.io", "subjectaccessreviews", namespaced: false),
    ];

    private static ResourceDefinition Review<[DynamicallyAccessedMembers(ModelTypes.Members)] T>(string group, string plural, bool namespaced, string version = "v1")
        where T : class, IKubernetesObject<V1ObjectMeta>
        => BuiltinResources.Define<T, T>(group, plural, namespaced, new ReviewStrategy<T>(), version: version) with { Verbs = CreateOnly };

    private sealed class ReviewStrategy<T> : ResourceStrategy<T>
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
    }
}
