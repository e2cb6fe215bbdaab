namespace NodeAgent.Storage;

/// <summary>A key's value at one revision (see <see cref="IRevisionedStore"/> for the vocabulary).</summary>
public sealed record KeyValue(string Key, ReadOnlyMemory<byte> Value, long CreateRevision, long ModRevision);
