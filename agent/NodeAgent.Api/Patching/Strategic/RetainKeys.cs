using System.Text.Json.Nodes;

namespace NodeAgent.Api.Patching.Strategic;

/// <summary>
/// <c>$retainKeys: [..]</c>: after the merge only the listed keys of the original survive — how switching a
/// deployment strategy from RollingUpdate to Recreate drops <c>rollingUpdate</c>.
/// </summary>
internal static class RetainKeys
{
    public static void Apply(JsonObject original, JsonObject patch, string path)
    {
        if (!patch.TryGetPropertyValue(Directives.RetainKeys, out var directive))
        {
            return;
        }

        patch.Remove(Directives.RetainKeys);
        var at = MapMerger.Join(path, Directives.RetainKeys);
        if (directive is not JsonArray list || list.Any(k => JsonNodes.AsString(k) is null))
        {
            throw PatchException.Invalid("$retainKeys must be a list of strings", at);
        }

        var retained = list.Select(k => JsonNodes.AsString(k)!).ToHashSet(StringComparer.Ordinal);

        // A patch that sets a key it does not retain contradicts itself.
        foreach (var (key, value) in patch)
        {
            if (value is not null && !Directives.IsDirectiveKey(key) && !retained.Contains(key))
            {
                throw PatchException.Invalid($"\"{key}\" is set by the patch but not listed in $retainKeys", at);
            }
        }

        foreach (var key in original.Select(p => p.Key).Where(k => !retained.Contains(k)).ToList())
        {
            original.Remove(key);
        }
    }
}
