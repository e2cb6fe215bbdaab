namespace NodeAgent.Storage;

/// <summary>
/// One page of a list. <paramref name="Revision"/> is the store revision the page is consistent at (the list's
/// resourceVersion); <paramref name="ContinueKey"/> is the last key returned when more follow (null when done);
/// <paramref name="RemainingCount"/> counts the live keys after this page at that revision.
/// </summary>
public sealed record ListResult(IReadOnlyList<KeyValue> Items, long Revision, string? ContinueKey, long RemainingCount);
