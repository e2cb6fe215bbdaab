using System.Diagnostics.CodeAnalysis;

namespace NodeAgent.Api.Resources;

/// <summary>
/// One REST resource the API server serves: its group/version/kind, names as discovery reports
/// them, the KubernetesClient model it (de)serialises with, and the strategy that defaults,
/// validates and prints it.
/// </summary>
/// <param name="Group">"" for the core group.</param>
/// <param name="Subresources">Any of "status", "scale", "binding" (and later "log", "exec", …).</param>
/// <param name="Verbs">Null: every verb of a stored resource. ["create"]: a review that is answered and never stored.</param>
public sealed record ResourceDefinition(
    string Group,
    string Version,
    string Kind,
    string Plural,
    string Singular,
    bool Namespaced,
    [param: DynamicallyAccessedMembers(ModelTypes.Members)][property: DynamicallyAccessedMembers(ModelTypes.Members)] Type ModelType,
    [param: DynamicallyAccessedMembers(ModelTypes.Members)][property: DynamicallyAccessedMembers(ModelTypes.Members)] Type ListModelType,
    IReadOnlyList<string> ShortNames,
    IReadOnlyList<string> Categories,
    IReadOnlyList<string> Subresources,
    IResourceStrategy Strategy,
    IReadOnlyList<string>? Verbs = null)
{
    /// <summary>A review (access, rules, token, self): POST only, answered from the request, nothing stored, listed or watched.</summary>
    public bool CreateOnly => Verbs is ["create"];

    /// <summary>"v1" or "apps/v1".</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string ListKind => Kind + "List";

    /// <summary>Storage key prefix of every object of this resource, e.g. <c>/registry/apps/deployments/</c>.</summary>
    public string KeyPrefix => Group.Length == 0 ? $"/registry/{Plural}/" : $"/registry/{Group}/{Plural}/";

    public bool HasSubresource(string name) => Subresources.Contains(name, StringComparer.Ordinal);
}
