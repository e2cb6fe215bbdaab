using NodeAgent.Runtime.Common;
using System.Runtime.CompilerServices;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Snapshots;

namespace NodeAgent.Runtime.Images.Content;

/// <summary>
/// <see cref="IContentStore"/> on a directory: <c>blobs/sha256/&lt;hex&gt;</c> (read-only, 0444) and
/// <c>ingest/&lt;hex&gt;/{data,ref}</c> for writes in progress. One writer per digest at a time:
/// a second <see cref="OpenWriterAsync"/> for the same digest waits until the first commits,
/// aborts or is disposed (another process is kept out by an exclusive lock on the ingest file).
/// </summary>
public sealed class FileContentStore : IContentStore
{
    private const int ReadBufferBytes = 1 << 16;

    private readonly KeyedLock _writers = new();

    public FileContentStore(string root)
    {
        Root = Path.GetFullPath(root);
        BlobDirectory = Path.Combine(Root, "blobs", "sha256");
        IngestDirectory = Path.Combine(Root, "ingest");
        Directory.CreateDirectory(BlobDirectory);
        Directory.CreateDirectory(IngestDirectory);
    }

    public string Root { get; }

    internal string BlobDirectory { get; }

    internal string IngestDirectory { get; }

    internal string BlobPath(string digest) => Path.Combine(BlobDirectory, Digests.Hex(digest));

    public Task<ContentInfo?> InfoAsync(string digest, CancellationToken cancellationToken)
    {
        var file = new FileInfo(BlobPath(digest));
        return Task.FromResult(file.Exists ? new ContentInfo(digest, file.Length, file.LastWriteTimeUtc) : null);
    }

    public Task<Stream> OpenReadAsync(string digest, CancellationToken cancellationToken)
    {
        var path = BlobPath(digest);
        try
        {
            Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ReadBufferBytes, FileOptions.SequentialScan);
            return Task.FromResult(stream);
        }
        catch (FileNotFoundException e)
        {
            throw new RuntimeException(RuntimeErrorKind.NotFound, $"content {digest} not found", e);
        }
    }

    public async Task<IContentWriter> OpenWriterAsync(string expectedDigest, long expectedSize, CancellationToken cancellationToken)
    {
        var hex = Digests.Hex(expectedDigest);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedSize);
        var hold = await _writers.AcquireAsync(hex, cancellationToken).ConfigureAwait(false);
        try
        {
            return await FileContentWriter.OpenAsync(this, expectedDigest, expectedSize, hold, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            hold.Dispose();
            throw;
        }
    }

    public Task DeleteAsync(string digest, CancellationToken cancellationToken)
    {
        File.Delete(BlobPath(digest));
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<ContentInfo> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (var file in new DirectoryInfo(BlobDirectory).EnumerateFiles())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var digest = Digests.Sha256Prefix + file.Name;
            if (Digests.IsValid(digest))
            {
                yield return new ContentInfo(digest, file.Length, file.LastWriteTimeUtc);
            }
        }
    }
}
