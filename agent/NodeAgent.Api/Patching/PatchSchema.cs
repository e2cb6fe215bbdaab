using NodeAgent.Api.Patching.Schema;

namespace NodeAgent.Api.Patching;

/// <summary>
/// Per-kind patch metadata: which lists merge by which key, which are sets of primitives, which fields retain keys.
/// Unknown kinds (custom resources) get only metadata's; all their other lists are atomic, as for CRDs.
/// </summary>
public sealed class PatchSchema
{
    private PatchSchema(string apiVersion, string kind, SchemaNode root, bool isBuiltIn)
    {
        ApiVersion = apiVersion;
        Kind = kind;
        Root = root;
        IsBuiltIn = isBuiltIn;
    }

    public string ApiVersion { get; }

    public string Kind { get; }

    /// <summary>True for the built-in kinds listed in docs/patching.md.</summary>
    public bool IsBuiltIn { get; }

    internal SchemaNode Root { get; }

    public static PatchSchema For(string apiVersion, string kind)
    {
        ArgumentNullException.ThrowIfNull(apiVersion);
        ArgumentNullException.ThrowIfNull(kind);
        var known = BuiltinSchemas.Find(apiVersion, kind);
        return new PatchSchema(apiVersion, kind, known ?? BuiltinSchemas.Unknown, known is not null);
    }
}
