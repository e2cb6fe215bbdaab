using k8s;
using k8s.Models;

namespace NodeAgent.Controllers.Machinery;

/// <summary>
/// An informer's cache: objects by <see cref="ObjectKey"/> plus named secondary indexes (client-go's Indexer). Objects
/// handed out are shared with the cache — copy them (<see cref="ObjectCopy.Clone{T}"/>) before mutating.
/// </summary>
public sealed class Indexer<T>
    where T : IKubernetesObject<V1ObjectMeta>
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ObjectKey, T> _items = [];
    private readonly Dictionary<string, Func<T, IEnumerable<string>>> _indexFuncs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, HashSet<ObjectKey>>> _indexes = new(StringComparer.Ordinal);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Adds an index (e.g. pods by spec.nodeName); existing objects are indexed at once.</summary>
    public void AddIndex(string name, Func<T, IEnumerable<string>> indexFunc)
    {
        lock (_lock)
        {
            _indexFuncs[name] = indexFunc;
            _indexes[name] = new Dictionary<string, HashSet<ObjectKey>>(StringComparer.Ordinal);
            foreach (var (key, item) in _items)
            {
                AddToIndex(name, key, item);
            }
        }
    }

    public T? Get(ObjectKey key)
    {
        lock (_lock)
        {
            return _items.GetValueOrDefault(key);
        }
    }

    public IReadOnlyList<T> List()
    {
        lock (_lock)
        {
            return [.. _items.Values];
        }
    }

    public IReadOnlyList<ObjectKey> Keys()
    {
        lock (_lock)
        {
            return [.. _items.Keys];
        }
    }

    public IReadOnlyList<T> ByIndex(string indexName, string value)
    {
        lock (_lock)
        {
            if (!_indexes.TryGetValue(indexName, out var index))
            {
                throw new ArgumentException($"no index named {indexName}", nameof(indexName));
            }

            return index.TryGetValue(value, out var keys) ? [.. keys.Select(k => _items[k])] : [];
        }
    }

    /// <summary>Stores the object; returns the one it replaced, if any.</summary>
    public T? Upsert(T item)
    {
        var key = ObjectKey.For(item);
        lock (_lock)
        {
            var old = _items.GetValueOrDefault(key);
            if (old is not null)
            {
                RemoveFromIndexes(key, old);
            }

            _items[key] = item;
            foreach (var name in _indexFuncs.Keys)
            {
                AddToIndex(name, key, item);
            }

            return old;
        }
    }

    /// <summary>Removes the object; returns what the cache held, if anything.</summary>
    public T? Remove(ObjectKey key)
    {
        lock (_lock)
        {
            if (!_items.Remove(key, out var old))
            {
                return default;
            }

            RemoveFromIndexes(key, old);
            return old;
        }
    }

    private void AddToIndex(string name, ObjectKey key, T item)
    {
        foreach (var value in _indexFuncs[name](item))
        {
            if (!_indexes[name].TryGetValue(value, out var keys))
            {
                _indexes[name][value] = keys = [];
            }

            keys.Add(key);
        }
    }

    private void RemoveFromIndexes(ObjectKey key, T item)
    {
        foreach (var (name, func) in _indexFuncs)
        {
            foreach (var value in func(item))
            {
                if (_indexes[name].TryGetValue(value, out var keys) && keys.Remove(key) && keys.Count == 0)
                {
                    _indexes[name].Remove(value);
                }
            }
        }
    }
}

/// <summary>Deep copies through the client's own JSON settings, so a copy round-trips exactly like the wire.</summary>
public static class ObjectCopy
{
    public static T Clone<T>(T value) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(value));

    /// <summary>Compares two objects by their JSON form (what the API would store).</summary>
    public static bool JsonEquals<T>(T? a, T? b)
        => a is null || b is null
            ? a is null && b is null
            : string.Equals(KubernetesJson.Serialize(a), KubernetesJson.Serialize(b), StringComparison.Ordinal);
}
