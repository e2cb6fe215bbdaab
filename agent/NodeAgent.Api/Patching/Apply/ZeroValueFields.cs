namespace NodeAgent.Api.Patching.Apply;

/// <summary>
/// Kubernetes computes an Update's ownership against typed Go objects, where some maps and lists exist even when
/// empty (non-pointer structs such as spec, template, strategy; lists without omitempty such as containers). A write
/// therefore never "adds" those nodes, and managedFields show no "." for them. We have no Go types, so this is the
/// short list of such field names in the built-in kinds; other new maps and lists own themselves (".").
/// </summary>
internal static class ZeroValueFields
{
    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "f:metadata", "f:spec", "f:status", "f:template", "f:strategy", "f:jobTemplate", "f:containers", "f:updateStrategy",
    };

    /// <summary>True for a map/list node (it has paths below it in <paramref name="set"/>) named in the list above.</summary>
    public static bool IsAlwaysPresentNode(string path, FieldSet set)
    {
        var last = path[(path.LastIndexOf(FieldPath.Separator) + 1)..];
        return Names.Contains(last) && set.Paths.Any(p => FieldPath.IsPrefixOf(path, p));
    }
}
