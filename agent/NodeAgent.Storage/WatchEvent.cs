namespace NodeAgent.Storage;

/// <summary>What a watched write did.</summary>
public enum WatchEventType
{
    /// <summary>A create or an update.</summary>
    Put,

    /// <summary>A delete.</summary>
    Delete,
}

/// <summary>
/// One write seen by a watch. <see cref="Current"/>.ModRevision is the event's revision; for a
/// <see cref="WatchEventType.Delete"/> it carries the key's last value (what the API sends in a
/// DELETED event). <see cref="Previous"/> is the value before the write (null for a create).
/// </summary>
public sealed record WatchEvent(WatchEventType Type, KeyValue Current, KeyValue? Previous)
{
    public long Revision => Current.ModRevision;
}

/// <summary>
/// What a watch yields: the events in revision order, and <paramref name="Revision"/>, the revision up to which the
/// watcher has now seen every matching event. A batch without events is a progress notification: nothing
/// under the prefix changed up to <paramref name="Revision"/>; the API server sends it as a BOOKMARK.
/// </summary>
public sealed record WatchBatch(long Revision, IReadOnlyList<WatchEvent> Events)
{
    public bool IsProgress => Events.Count == 0;
}
