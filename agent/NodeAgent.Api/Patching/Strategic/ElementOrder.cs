using System.Text.Json.Nodes;

namespace NodeAgent.Api.Patching.Strategic;

/// <summary>
/// The ordering rule of Kubernetes' strategic merge (normalizeElementOrder): items named by the patch (or by
/// <c>$setElementOrder</c>) take the patch's order, the other items keep the server's order, and the two runs are
/// interleaved by the server's order where both are known. An item the server does not know yet goes first —
/// which is why a container added by a plain patch lands in front of the existing ones, as on a real cluster.
/// </summary>
internal static class ElementOrder
{
    public static List<JsonNode?> Normalize(
        List<JsonNode?> merged, IReadOnlyList<JsonNode?> patchOrder, IReadOnlyList<JsonNode?> serverOrder, string? mergeKey)
    {
        var patchItems = new List<JsonNode?>();
        var serverOnly = new List<JsonNode?>();
        foreach (var item in merged)
        {
            (IndexOf(patchOrder, item, mergeKey) >= 0 ? patchItems : serverOnly).Add(item);
        }

        var sortedPatch = SortBy(patchItems, patchOrder, mergeKey);
        var sortedServer = SortBy(serverOnly, serverOrder, mergeKey);
        return Interleave(sortedServer, sortedPatch, serverOrder, mergeKey);
    }

    public static int IndexOf(IReadOnlyList<JsonNode?> list, JsonNode? item, string? mergeKey)
    {
        var wanted = KeyOf(item, mergeKey);
        for (var i = 0; i < list.Count; i++)
        {
            if (JsonNode.DeepEquals(KeyOf(list[i], mergeKey), wanted))
            {
                return i;
            }
        }

        return -1;
    }

    public static JsonNode? KeyOf(JsonNode? item, string? mergeKey) =>
        mergeKey is null ? item : (item as JsonObject)?[mergeKey];

    private static List<JsonNode?> SortBy(List<JsonNode?> items, IReadOnlyList<JsonNode?> order, string? mergeKey)
    {
        // Stable: items the order does not name keep their relative position at the end.
        return items
            .Select((item, i) => (item, i, rank: IndexOf(order, item, mergeKey)))
            .OrderBy(x => x.rank < 0 ? int.MaxValue : x.rank)
            .ThenBy(x => x.i)
            .Select(x => x.item)
            .ToList();
    }

    private static List<JsonNode?> Interleave(
        List<JsonNode?> left, List<JsonNode?> right, IReadOnlyList<JsonNode?> serverOrder, string? mergeKey)
    {
        var result = new List<JsonNode?>(left.Count + right.Count);
        int i = 0, j = 0;
        while (i < left.Count || j < right.Count)
        {
            if (j >= right.Count)
            {
                result.Add(left[i++]);
            }
            else if (i >= left.Count)
            {
                result.Add(right[j++]);
            }
            else
            {
                var li = IndexOf(serverOrder, left[i], mergeKey);
                var ri = IndexOf(serverOrder, right[j], mergeKey);
                result.Add(li >= 0 && ri >= 0 && li < ri ? left[i++] : right[j++]);
            }
        }

        return result;
    }
}
