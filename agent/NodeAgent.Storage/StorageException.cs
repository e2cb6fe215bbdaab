namespace NodeAgent.Storage;

/// <summary>A storage failure of a known <see cref="Kind"/>; Conflict and AlreadyExists carry the current value.</summary>
public sealed class StorageException : Exception
{
    public StorageException()
    {
    }

    public StorageException(string message)
        : base(message)
    {
    }

    public StorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StorageException(StorageErrorKind kind, string message, KeyValue? current = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        Current = current;
    }

    public StorageErrorKind Kind { get; } = StorageErrorKind.Unavailable;

    /// <summary>The key's current value, for <see cref="StorageErrorKind.Conflict"/> and <see cref="StorageErrorKind.AlreadyExists"/>.</summary>
    public KeyValue? Current { get; }

    internal static StorageException NotFound(string key) => new(StorageErrorKind.NotFound, $"key {key} not found");

    internal static StorageException AlreadyExists(string key, KeyValue? current)
        => new(StorageErrorKind.AlreadyExists, $"key {key} already exists", current);

    internal static StorageException Conflict(string key, long expected, KeyValue current)
        => new(StorageErrorKind.Conflict, $"key {key} is at revision {current.ModRevision}, not {expected}", current);

    internal static StorageException Gone(long revision, long compacted)
        => new(StorageErrorKind.Gone, $"revision {revision} has been compacted (compacted revision {compacted})");

    internal static StorageException Future(long revision, long current)
        => new(StorageErrorKind.FutureRevision, $"revision {revision} is newer than the current revision {current}");
}
