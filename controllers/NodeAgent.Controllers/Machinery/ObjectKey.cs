using k8s;
using k8s.Models;

namespace NodeAgent.Controllers.Machinery;

/// <summary>What a reconciler is asked about: <c>namespace/name</c>, or just <c>name</c> for cluster-scoped objects (client-go's cache key).</summary>
public readonly record struct ObjectKey(string Namespace, string Name)
{
    public static ObjectKey Cluster(string name) => new(string.Empty, name);

    public static ObjectKey For(IMetadata<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return new ObjectKey(obj.Metadata.NamespaceProperty ?? string.Empty, obj.Metadata.Name);
    }

    /// <summary>Parses <c>namespace/name</c> or <c>name</c>.</summary>
    public static ObjectKey Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? Cluster(key) : new ObjectKey(key[..slash], key[(slash + 1)..]);
    }

    public override string ToString() => Namespace.Length == 0 ? Name : Namespace + "/" + Name;
}
