using System.Globalization;
using System.Security.Cryptography;
using NodeAgent.Runtime.Snapshots;

namespace NodeAgent.Runtime.Images.Content;

/// <summary>
/// One ingest: appends to <c>ingest/&lt;hex&gt;/data</c> while hashing, so the digest is known the moment
/// the last byte arrives. Holds the store's per-digest lock until committed, aborted or disposed.
/// </summary>
internal sealed class FileContentWriter : IContentWriter
{
    private const int RehashBufferBytes = 1 << 20;
    private const uint ReadOnlyMode = 0x124; // 0444: a blob never changes once committed

    private readonly FileContentStore _store;
    private readonly string _digest;
    private readonly long _expectedSize;
    private readonly string _ingest;
    private readonly IncrementalHash _hash;
    private IDisposable? _hold;
    private FileStream? _data;
    private bool _broken;

    private FileContentWriter(FileContentStore store, string digest, long expectedSize, IDisposable hold, string ingest, FileStream data, IncrementalHash hash)
    {
        _store = store;
        _digest = digest;
        _expectedSize = expectedSize;
        _hold = hold;
        _ingest = ingest;
        _data = data;
        _hash = hash;
        Offset = data.Length;
    }

    public long Offset { get; private set; }

    private string DataPath => Path.Combine(_ingest, "data");

    public static async Task<FileContentWriter> OpenAsync(FileContentStore store, string digest, long expectedSize, IDisposable hold, CancellationToken cancellationToken)
    {
        var ingest = Path.Combine(store.IngestDirectory, Digests.Hex(digest));
        Directory.CreateDirectory(ingest);
        var refPath = Path.Combine(ingest, "ref");
        var expectedRef = string.Create(CultureInfo.InvariantCulture, $"{digest} {expectedSize}\n");
        var dataPath = Path.Combine(ingest, "data");

        // An ingest left for another size is useless: start over.
        if (!File.Exists(refPath) || await File.ReadAllTextAsync(refPath, cancellationToken).ConfigureAwait(false) != expectedRef)
        {
            File.Delete(dataPath);
            await File.WriteAllTextAsync(refPath, expectedRef, cancellationToken).ConfigureAwait(false);
        }

        // FileShare.None takes an exclusive flock, keeping another process's writer out.
        var data = new FileStream(dataPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            if (data.Length > expectedSize)
            {
                data.SetLength(0);
            }

            await RehashAsync(data, hash, cancellationToken).ConfigureAwait(false);
            return new FileContentWriter(store, digest, expectedSize, hold, ingest, data, hash);
        }
        catch
        {
            await data.DisposeAsync().ConfigureAwait(false);
            hash.Dispose();
            throw;
        }
    }

    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var stream = Usable();
        if (Offset + data.Length > _expectedSize)
        {
            await DiscardAsync().ConfigureAwait(false);
            throw new ContentDigestMismatchException($"blob {_digest}: more than the expected {_expectedSize} bytes written");
        }

        try
        {
            await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The file may hold part of this chunk: only a reopen (which rehashes) can continue.
            _broken = true;
            throw;
        }

        _hash.AppendData(data.Span);
        Offset += data.Length;
    }

    public async Task<ContentInfo> CommitAsync(CancellationToken cancellationToken)
    {
        var stream = Usable();
        if (_broken)
        {
            throw new InvalidOperationException($"blob {_digest}: an earlier write failed; reopen the writer to resume");
        }

        if (Offset != _expectedSize)
        {
            await DiscardAsync().ConfigureAwait(false);
            throw new ContentDigestMismatchException($"blob {_digest}: expected {_expectedSize} bytes, got {Offset}");
        }

        var actual = Digests.Sha256Prefix + Convert.ToHexStringLower(_hash.GetHashAndReset());
        if (!string.Equals(actual, _digest, StringComparison.Ordinal))
        {
            await DiscardAsync().ConfigureAwait(false);
            throw new ContentDigestMismatchException($"blob digest mismatch: expected {_digest}, got {actual}");
        }

        stream.Flush(flushToDisk: true);
        if (Libc.FChmod(stream.SafeFileHandle, ReadOnlyMode) != 0)
        {
            throw Libc.Error("fchmod", DataPath, Libc.LastError);
        }

        await stream.DisposeAsync().ConfigureAwait(false);
        _data = null;

        // rename(2) is atomic: readers see no blob or the whole verified blob. An identical blob
        // committed meanwhile (by another process) is simply replaced by the same bytes.
        var blobPath = _store.BlobPath(_digest);
        if (Libc.Rename(DataPath, blobPath) != 0)
        {
            throw Libc.Error("rename", blobPath, Libc.LastError);
        }

        Libc.SyncDirectory(_store.BlobDirectory);
        DeleteIngest();
        Release();
        return new ContentInfo(_digest, _expectedSize, File.GetLastWriteTimeUtc(blobPath));
    }

    public Task AbortAsync(CancellationToken cancellationToken) => DiscardAsync();

    public async ValueTask DisposeAsync()
    {
        if (_data is not null)
        {
            // Keeps the partial data: the next writer for this digest resumes from it.
            await _data.DisposeAsync().ConfigureAwait(false);
            _data = null;
        }

        Release();
    }

    private async Task DiscardAsync()
    {
        if (_data is not null)
        {
            await _data.DisposeAsync().ConfigureAwait(false);
            _data = null;
        }

        DeleteIngest();
        Release();
    }

    private void DeleteIngest()
    {
        if (Directory.Exists(_ingest))
        {
            Directory.Delete(_ingest, recursive: true);
        }
    }

    private void Release()
    {
        _hash.Dispose();
        Interlocked.Exchange(ref _hold, null)?.Dispose();
    }

    private FileStream Usable() => _data ?? throw new ObjectDisposedException(nameof(FileContentWriter), $"the writer of {_digest} was already committed, aborted or disposed");

    private static async Task RehashAsync(FileStream data, IncrementalHash hash, CancellationToken cancellationToken)
    {
        var buffer = new byte[Math.Min(RehashBufferBytes, Math.Max(data.Length, 1))];
        data.Position = 0;
        int read;
        while ((read = await data.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }
    }
}
