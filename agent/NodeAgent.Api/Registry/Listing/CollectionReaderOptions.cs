namespace NodeAgent.Api.Registry.Listing;

/// <summary>Tuning of list and watch; the defaults follow kube-apiserver.</summary>
public sealed record CollectionReaderOptions
{
    public static CollectionReaderOptions Default { get; } = new();

    /// <summary>
    /// How long one flush of watch events to a client may take. A client that cannot take events this fast
    /// has its watch ended (it re-watches from its last resourceVersion, or re-lists) instead of being
    /// buffered without bound or skipped.
    /// </summary>
    public TimeSpan WatchWriteTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A watch without <c>timeoutSeconds</c> ends after a random time between this and twice this
    /// (kube-apiserver's <c>--min-request-timeout</c>, 1800 s), spreading re-watches out.
    /// </summary>
    public TimeSpan MinRequestTimeout { get; init; } = TimeSpan.FromSeconds(1800);

    /// <summary>Page size for reading the initial state of a watch.</summary>
    public int InitialEventsPageSize { get; init; } = 500;
}
