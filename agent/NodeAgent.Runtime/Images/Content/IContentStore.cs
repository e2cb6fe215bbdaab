namespace NodeAgent.Runtime.Images.Content;

/// <summary>Facts about one stored blob.</summary>
public sealed record ContentInfo(string Digest, long Size, DateTimeOffset CreatedAt);

/// <summary>
/// Content-addressed blob store (containerd's content store in spirit). Blobs are written to an
/// ingest file, verified against the expected digest and size, then renamed into place, so a
/// reader never sees a partial or wrong blob and a killed write can be resumed.
/// </summary>
public interface IContentStore
{
    Task<ContentInfo?> InfoAsync(string digest, CancellationToken cancellationToken);

    Task<Stream> OpenReadAsync(string digest, CancellationToken cancellationToken);

    /// <summary>
    /// Opens (or resumes) an ingest for <paramref name="expectedDigest"/>. <see cref="IContentWriter.Offset"/>
    /// says how many bytes an earlier attempt already wrote.
    /// </summary>
    Task<IContentWriter> OpenWriterAsync(string expectedDigest, long expectedSize, CancellationToken cancellationToken);

    /// <summary>Removes a blob; a missing blob is not an error.</summary>
    Task DeleteAsync(string digest, CancellationToken cancellationToken);

    IAsyncEnumerable<ContentInfo> ListAsync(CancellationToken cancellationToken);
}

/// <summary>An in-progress blob write; disposing without <see cref="CommitAsync"/> keeps the partial data for resuming.</summary>
public interface IContentWriter : IAsyncDisposable
{
    long Offset { get; }

    Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Verifies size and digest, then makes the blob visible atomically. Throws <see cref="ContentDigestMismatchException"/> and discards the ingest on mismatch.</summary>
    Task<ContentInfo> CommitAsync(CancellationToken cancellationToken);

    /// <summary>Drops the partial data (e.g. after the source proved corrupt).</summary>
    Task AbortAsync(CancellationToken cancellationToken);
}

public sealed class ContentDigestMismatchException(string message) : Exception(message)
{
    public ContentDigestMismatchException()
        : this("digest mismatch")
    {
    }

    public ContentDigestMismatchException(string message, Exception innerException)
        : this(message + ": " + innerException.Message)
    {
    }
}
