using System.Diagnostics.CodeAnalysis;

namespace NodeAgent.Api.Resources;

/// <summary>
/// What the API layer's reflection over KubernetesClient models needs kept by the trimmer (Native AOT publish,
/// bench/README.md "Native AOT"): their JSON properties (unknown fields, merge keys, OpenAPI), the
/// <c>KubeKind</c>/<c>KubeGroup</c> constants, the parameterless constructor (field selectors' empty object) and the
/// interfaces of collection types (list item and map value types).
/// </summary>
internal static class ModelTypes
{
    public const DynamicallyAccessedMemberTypes Members =
        DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicFields
        | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor | DynamicallyAccessedMemberTypes.Interfaces;

    /// <summary>
    /// A type reached from a model rather than named in code: a property's type, a list's item type, a map's value
    /// type. The trimmer cannot follow those, so the AOT publish keeps every <c>k8s.Models</c> type whole
    /// (agent/NodeAgent/KubernetesModels.xml); the walks stop at any other type (strings, numbers, collections'
    /// own types are only asked for their generic arguments).
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2068", Justification = "k8s.Models is kept whole by the AOT publish's descriptor (KubernetesModels.xml).")]
    [return: DynamicallyAccessedMembers(Members)]
    public static Type Reached(Type type) => type;
}
