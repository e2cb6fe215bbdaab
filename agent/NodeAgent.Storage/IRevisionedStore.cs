namespace NodeAgent.Storage;

/// <summary>
/// A revisioned key-value store in the shape of etcd v3 / kine, the storage under the API server.
/// </summary>
/// <remarks>
/// Vocabulary:
/// <list type="bullet">
/// <item><b>revision</b>: one store-wide counter, increased by one for every successful create,
/// update or delete (never by reads or compaction). It is the Kubernetes resourceVersion.
/// Revisions are positive; 0 in an argument means "the latest".</item>
/// <item><b>ModRevision</b>: the revision of the write that produced a key's value;
/// <b>CreateRevision</b>: the revision of the create that started the key's current life
/// (a key deleted and created again starts a new life).</item>
/// <item><b>live</b> key: created and not deleted since. Only live keys are returned by get and list.</item>
/// <item><b>compaction</b> at revision C: history older than C is forgotten. Reading at a
/// revision below C, or watching from a revision below C, fails with
/// <see cref="StorageErrorKind.Gone"/> (the API answers 410); reading at C or later works.</item>
/// <item><b>watch</b>: a stream of <see cref="WatchBatch"/>es holding, in revision order, every
/// event under a prefix with a revision greater than the starting one, none dropped or
/// repeated. A batch without events is a progress notification (the API's BOOKMARK).</item>
/// </list>
/// Keys are compared as UTF-8 bytes (etcd's order); a prefix such as <c>/registry/pods/</c>
/// selects every key that starts with it.
/// </remarks>
public interface IRevisionedStore : IAsyncDisposable
{
    /// <summary>The store's latest revision.</summary>
    Task<long> CurrentRevisionAsync(CancellationToken ct);

    /// <summary>The live value of <paramref name="key"/>, or null.</summary>
    Task<KeyValue?> GetAsync(string key, CancellationToken ct);

    /// <summary>
    /// The live keys under <paramref name="prefix"/> as of <paramref name="revision"/> (0 = latest), in key
    /// order, starting after <paramref name="startAfterKey"/> when given, at most <paramref name="limit"/>
    /// items (0 = all). To page consistently, pass the returned <see cref="ListResult.Revision"/> and
    /// <see cref="ListResult.ContinueKey"/> to the next call. Throws <see cref="StorageErrorKind.Gone"/>
    /// for a compacted revision and <see cref="StorageErrorKind.FutureRevision"/> for one not yet written.
    /// </summary>
    Task<ListResult> ListAsync(string prefix, long revision, string? startAfterKey, int limit, CancellationToken ct);

    /// <summary>Creates <paramref name="key"/>; <see cref="StorageErrorKind.AlreadyExists"/> when it is live.</summary>
    Task<KeyValue> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct);

    /// <summary>
    /// Replaces the value of <paramref name="key"/> if its ModRevision is still <paramref name="expectedModRevision"/>
    /// (compare-and-swap); <see cref="StorageErrorKind.NotFound"/>, or <see cref="StorageErrorKind.Conflict"/>
    /// carrying the current value.
    /// </summary>
    Task<KeyValue> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedModRevision, CancellationToken ct);

    /// <summary>
    /// Deletes <paramref name="key"/> (only if its ModRevision is <paramref name="expectedModRevision"/>, when given)
    /// and returns its last value with ModRevision = the delete's revision; NotFound or Conflict as for updates.
    /// </summary>
    Task<KeyValue> DeleteAsync(string key, long? expectedModRevision, CancellationToken ct);

    /// <summary>
    /// Every event under <paramref name="prefix"/> with a revision greater than <paramref name="fromRevision"/>
    /// (0 = from the current revision on), in batches ordered by revision, plus periodic progress batches
    /// (no events) while idle. Throws <see cref="StorageErrorKind.Gone"/> when <paramref name="fromRevision"/> is
    /// below the compacted revision, also later in the stream if the watcher fell behind a compaction.
    /// Ends only by cancellation or an error.
    /// </summary>
    IAsyncEnumerable<WatchBatch> WatchAsync(string prefix, long fromRevision, CancellationToken ct);

    /// <summary>
    /// Forgets history older than <paramref name="revision"/>: superseded values and deleted keys at or below it.
    /// Compacting at or below an earlier compaction does nothing; a future revision throws
    /// <see cref="StorageErrorKind.FutureRevision"/>.
    /// </summary>
    Task CompactAsync(long revision, CancellationToken ct);
}
