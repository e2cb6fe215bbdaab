using System.Text.Json;
using System.Text.Json.Nodes;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Network.Cni;

/// <summary>
/// A CNI network configuration list (conflist): a named network whose plugins run in order on ADD
/// and in reverse on DEL. Plugin entries stay JSON because each plugin type has its own fields.
/// </summary>
public sealed record CniNetworkConfigList(string CniVersion, string Name, IReadOnlyList<JsonObject> Plugins)
{
    public JsonObject ToJson()
    {
        var plugins = new JsonArray();
        foreach (var plugin in Plugins)
        {
            plugins.Add(plugin.DeepClone());
        }

        return new JsonObject { ["cniVersion"] = CniVersion, ["name"] = Name, ["plugins"] = plugins };
    }

    public string ToJsonString() => ToJson().ToJsonString(CniJson.Indented);

    public static CniNetworkConfigList Parse(string json)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject
                ?? throw new RuntimeException(RuntimeErrorKind.Invalid, "CNI conflist: not a JSON object");
        }
        catch (JsonException e)
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"CNI conflist: invalid JSON: {e.Message}", e);
        }

        var version = CniJson.RequiredString(root, "cniVersion", "CNI conflist");
        var name = CniJson.RequiredString(root, "name", "CNI conflist");
        if (root["plugins"] is not JsonArray { Count: > 0 } plugins)
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"CNI conflist {name}: no plugins");
        }

        var list = new List<JsonObject>();
        foreach (var plugin in plugins)
        {
            if (plugin is not JsonObject entry)
            {
                throw new RuntimeException(RuntimeErrorKind.Invalid, $"CNI conflist {name}: a plugin entry is not an object");
            }

            CniJson.RequiredString(entry, "type", $"CNI conflist {name} plugin");
            list.Add((JsonObject)entry.DeepClone());
        }

        return new CniNetworkConfigList(version, name, list);
    }
}
