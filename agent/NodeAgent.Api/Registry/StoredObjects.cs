using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using NodeAgent.Api.Resources;
using NodeAgent.Storage;

namespace NodeAgent.Api.Registry;

/// <summary>
/// How API objects live in the revisioned store (the layout upstream uses in etcd):
/// key <c>/registry/[group/]plural/namespace/name</c> (cluster-scoped: <c>…/plural/name</c>),
/// value the object's JSON with apiVersion and kind and without <c>metadata.resourceVersion</c>,
/// which is the key's ModRevision and is filled in on every read.
/// </summary>
public static class StoredObjects
{
    public static string Key(ResourceDefinition resource, string? ns, string name)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return resource.Namespaced ? $"{resource.KeyPrefix}{ns}/{name}" : resource.KeyPrefix + name;
    }

    /// <summary>The prefix holding every object of a resource in one namespace (or all of them when null).</summary>
    public static string Prefix(ResourceDefinition resource, string? ns)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return resource.Namespaced && !string.IsNullOrEmpty(ns) ? $"{resource.KeyPrefix}{ns}/" : resource.KeyPrefix;
    }

    /// <summary>The object as stored, with resourceVersion = the revision that wrote it.</summary>
    public static JsonObject Decode(KeyValue kv)
    {
        ArgumentNullException.ThrowIfNull(kv);
        var obj = JsonNode.Parse(kv.Value.Span)?.AsObject()
            ?? throw new StorageException(StorageErrorKind.Unavailable, $"stored value of {kv.Key} is not a JSON object");
        SetResourceVersion(obj, kv.ModRevision);
        return obj;
    }

    /// <summary>The bytes to store: the object without its resourceVersion (the store's revision is the truth).</summary>
    public static byte[] Encode(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var copy = obj.DeepClone().AsObject();
        if (copy["metadata"] is JsonObject meta)
        {
            meta.Remove("resourceVersion");
        }

        return Utf8(copy);
    }

    /// <summary>Compact UTF-8 JSON of <paramref name="node"/>, as the serializer's defaults write it (without reflection-based serialization).</summary>
    public static byte[] Utf8(JsonNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            node.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static void SetResourceVersion(JsonObject obj, long revision)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (obj["metadata"] is not JsonObject meta)
        {
            meta = new JsonObject();
            obj["metadata"] = meta;
        }

        meta["resourceVersion"] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
