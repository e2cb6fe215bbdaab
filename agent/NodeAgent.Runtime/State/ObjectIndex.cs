using NodeAgent.Runtime.Common;
using System.Collections.Concurrent;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.State;

/// <summary>
/// The runtime's sandboxes or containers: records in memory, mirrored on disk, with a lock per id
/// and a name reservation per CRI name (so a retried create finds the object the first call made).
/// </summary>
internal sealed class ObjectIndex<T>(RecordDirectory<T> disk, Func<T, string> idOf, string kind)
    where T : class
{
    private readonly ConcurrentDictionary<string, T> _records = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly KeyedLock _locks = new();

    public RecordDirectory<T> Disk => disk;

    public IEnumerable<T> All => _records.Values;

    /// <summary>Loads every record from disk (at start); returns ids of directories without a readable record.</summary>
    public List<string> Load(Func<T, string> nameOf)
    {
        var orphans = new List<string>();
        foreach (var record in disk.LoadAll(orphans))
        {
            _records[idOf(record)] = record;
            _names[nameOf(record)] = idOf(record);
        }

        return orphans;
    }

    public T? Find(string id) => _records.GetValueOrDefault(id);

    /// <summary>The record with this id (or unique id prefix, as crictl passes), else NotFound.</summary>
    public T Get(string id)
    {
        if (string.IsNullOrEmpty(id))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"{kind} id is empty");
        }

        if (_records.TryGetValue(id, out var record))
        {
            return record;
        }

        var matches = _records.Where(r => r.Key.StartsWith(id, StringComparison.Ordinal)).Take(2).ToList();
        return matches.Count == 1
            ? matches[0].Value
            : throw new RuntimeException(RuntimeErrorKind.NotFound, matches.Count == 0 ? $"{kind} {id} not found" : $"{kind} id prefix {id} is ambiguous");
    }

    /// <summary>Reserves <paramref name="name"/> for <paramref name="id"/>; false with the holder's id when taken.</summary>
    public bool TryReserve(string name, string id, out string holder)
    {
        holder = _names.GetOrAdd(name, id);
        return holder == id;
    }

    public void Release(string name, string id) => _names.TryRemove(new KeyValuePair<string, string>(name, id));

    public Task<IDisposable> LockAsync(string id, CancellationToken cancellationToken) => _locks.AcquireAsync(id, cancellationToken);

    public Task SaveAsync(T record, CancellationToken cancellationToken) => SaveAsync(record, durable: true, cancellationToken);

    /// <summary>
    /// Stores the record in memory and on disk. <paramref name="durable"/> = false skips the fsync
    /// (about 2 ms here): only for records whose loss in a power cut is harmless because an older
    /// durable record, or an orphan directory, makes recovery tear the object down anyway, and a
    /// power cut kills every pod process, netns and mount it describes.
    /// </summary>
    public async Task SaveAsync(T record, bool durable, CancellationToken cancellationToken)
    {
        var id = idOf(record);
        await disk.SaveAsync(id, record, durable, cancellationToken);
        _records[id] = record;
    }

    public void Delete(string id)
    {
        disk.Delete(id);
        _records.TryRemove(id, out _);
    }
}
