using System.Globalization;
using k8s.Models;

namespace NodeAgent.Controllers.Machinery;

/// <summary>One event to report, before aggregation.</summary>
public sealed record EventRecord(V1ObjectReference InvolvedObject, string Type, string Reason, string Message, DateTime Time);

/// <summary>What to write for an event: a new core/v1 Event, or a count/lastTimestamp bump of an existing one.</summary>
public abstract record EventWrite
{
    public sealed record Create(Corev1Event Event) : EventWrite;

    public sealed record Bump(string Namespace, string Name, int Count, DateTime LastTimestamp, string Message) : EventWrite;
}

/// <summary>
/// client-go's event correlator, the part kubectl shows: an identical event (same object, fieldPath, type, reason,
/// message and source) within the cache's reach bumps <c>count</c> and <c>lastTimestamp</c> of the Event already written
/// instead of creating another. Pure: the caller writes, and calls <see cref="Forget"/> when the Event is gone.
/// </summary>
public sealed class EventAggregator(EventSource source, int capacity = 4096)
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _lru = new();
    private readonly Lock _lock = new();

    public EventWrite Next(EventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var key = KeyOf(record);
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                entry.Count++;
                _lru.Remove(entry.Node);
                _lru.AddFirst(entry.Node);
                return new EventWrite.Bump(entry.Namespace, entry.Name, entry.Count, record.Time, record.Message);
            }

            var created = Build(record);
            var node = _lru.AddFirst(key);
            _entries[key] = new Entry(created.Metadata.NamespaceProperty, created.Metadata.Name, node) { Count = 1 };
            if (_entries.Count > capacity)
            {
                _entries.Remove(_lru.Last!.Value);
                _lru.RemoveLast();
            }

            return new EventWrite.Create(created);
        }
    }

    /// <summary>The Event could not be bumped (deleted, expired): the next identical record creates a new one.</summary>
    public void Forget(EventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_lock)
        {
            if (_entries.Remove(KeyOf(record), out var entry))
            {
                _lru.Remove(entry.Node);
            }
        }
    }

    private Corev1Event Build(EventRecord record)
    {
        var involved = record.InvolvedObject;
        return new Corev1Event
        {
            ApiVersion = "v1",
            Kind = "Event",
            Metadata = new V1ObjectMeta
            {
                // Upstream names events <object>.<unix nanos in hex>.
                Name = involved.Name + "." + ((record.Time.Ticks - DateTime.UnixEpoch.Ticks) * 100).ToString("x", CultureInfo.InvariantCulture),
                NamespaceProperty = string.IsNullOrEmpty(involved.NamespaceProperty) ? "default" : involved.NamespaceProperty,
            },
            InvolvedObject = involved,
            Reason = record.Reason,
            Message = record.Message,
            Type = record.Type,
            Source = new V1EventSource { Component = source.Component, Host = source.Host },
            ReportingComponent = source.Component,
            ReportingInstance = source.Host ?? string.Empty,
            FirstTimestamp = record.Time,
            LastTimestamp = record.Time,
            Count = 1,
        };
    }

    private string KeyOf(EventRecord r)
        => string.Join(
            '\u0000',
            r.InvolvedObject.Kind,
            r.InvolvedObject.NamespaceProperty,
            r.InvolvedObject.Name,
            r.InvolvedObject.Uid,
            r.InvolvedObject.ApiVersion,
            r.InvolvedObject.FieldPath,
            r.Type,
            r.Reason,
            r.Message,
            source.Component,
            source.Host);

    private sealed class Entry(string ns, string name, LinkedListNode<string> node)
    {
        public string Namespace { get; } = ns;

        public string Name { get; } = name;

        public LinkedListNode<string> Node { get; } = node;

        public int Count { get; set; }
    }
}

/// <summary>Who reports events: component (kubelet, default-scheduler) and host (the node name, for the kubelet).</summary>
public sealed record EventSource(string Component, string? Host = null);
