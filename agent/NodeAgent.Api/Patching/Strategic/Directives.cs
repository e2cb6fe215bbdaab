namespace NodeAgent.Api.Patching.Strategic;

/// <summary>The strategic merge patch directive keys and values (sig-api-machinery strategic-merge-patch.md).</summary>
internal static class Directives
{
    public const string Patch = "$patch";
    public const string RetainKeys = "$retainKeys";
    public const string SetElementOrderPrefix = "$setElementOrder/";
    public const string DeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/";

    public const string Replace = "replace";
    public const string Delete = "delete";
    public const string Merge = "merge";

    public static bool IsDirectiveKey(string key) => key.StartsWith('$');
}
