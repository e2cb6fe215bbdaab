namespace NodeAgent.Api.Patching.Apply;

/// <summary>
/// Fields no manager owns (the API server's stripMeta): identity and bookkeeping that every writer sends
/// but nobody should be able to conflict over.
/// </summary>
internal static class IgnoredFields
{
    private static readonly string[] Exact =
    [
        "f:apiVersion",
        "f:kind",
        "f:metadata",
        Meta("name"),
        Meta("namespace"),
        Meta("creationTimestamp"),
        Meta("selfLink"),
        Meta("uid"),
        Meta("generation"),
        Meta("resourceVersion"),
        Meta("managedFields"),
    ];

    public static FieldSet Strip(FieldSet set) =>
        set.Where(p => !Exact.Any(e => p == e || (e != "f:metadata" && FieldPath.IsPrefixOf(e, p))));

    private static string Meta(string name) => FieldPath.Append("f:metadata", FieldPath.Field(name));
}
