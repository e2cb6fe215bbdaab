using System.Security.Cryptography;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Images.Content;
using NodeAgent.Runtime.Snapshots;
using NodeAgent.Testing.Common;
using RuntimeDigests = NodeAgent.Runtime.Images.Digests;

namespace NodeAgent.Runtime.Tests.Images.Content;

public sealed class FileContentStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new(TestIds.NewPrefix());
    private readonly FileContentStore _store;

    public FileContentStoreTests()
    {
        _store = new FileContentStore(_temp.Combine("content"));
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Written_blob_is_committed_read_only_and_reads_back()
    {
        using var cts = TestDeadline.Seconds(60);
        var (data, digest) = RandomBlob(3 * 1024 * 1024 + 17);

        await using (var writer = await _store.OpenWriterAsync(digest, data.Length, cts.Token))
        {
            Assert.Equal(0, writer.Offset);
            await WriteInChunksAsync(writer, data, 0, cts.Token);
            var info = await writer.CommitAsync(cts.Token);
            Assert.Equal(digest, info.Digest);
            Assert.Equal(data.Length, info.Size);
        }

        Assert.Equal(data.Length, (await _store.InfoAsync(digest, cts.Token))?.Size);
        await using (var read = await _store.OpenReadAsync(digest, cts.Token))
        {
            Assert.Equal(data, await ReadAllAsync(read, cts.Token));
        }

        var blobPath = _temp.Combine("content", "blobs", "sha256", RuntimeDigests.Hex(digest));
        Assert.Equal(0, Libc.LStat(blobPath, out var stat));
        Assert.Equal(0x124u, stat.Mode & 0xFFFu); // 0444
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Combine("content", "ingest")));
        var listed = await _store.ListAsync(cts.Token).ToListAsync(cts.Token);
        Assert.Equal(digest, Assert.Single(listed).Digest);
    }

    [Fact]
    public async Task Disposed_writer_keeps_partial_data_and_a_new_writer_resumes_from_it()
    {
        using var cts = TestDeadline.Seconds(60);
        var (data, digest) = RandomBlob(2 * 1024 * 1024);
        var half = data.Length / 2 + 5;

        await using (var first = await _store.OpenWriterAsync(digest, data.Length, cts.Token))
        {
            await first.WriteAsync(data.AsMemory(0, half), cts.Token);
        }

        Assert.Null(await _store.InfoAsync(digest, cts.Token));

        // A new store object (as after a restart) finds the partial ingest on disk.
        var restarted = new FileContentStore(_temp.Combine("content"));
        await using (var second = await restarted.OpenWriterAsync(digest, data.Length, cts.Token))
        {
            Assert.Equal(half, second.Offset);
            await WriteInChunksAsync(second, data, half, cts.Token);
            await second.CommitAsync(cts.Token);
        }

        await using var read = await _store.OpenReadAsync(digest, cts.Token);
        Assert.Equal(data, await ReadAllAsync(read, cts.Token));
    }

    [Fact]
    public async Task Wrong_bytes_throw_naming_both_digests_and_leave_no_blob_and_no_ingest()
    {
        using var cts = TestDeadline.Seconds(60);
        var (data, digest) = RandomBlob(64 * 1024);
        var corrupt = (byte[])data.Clone();
        corrupt[1000] ^= 0xFF;
        var actual = RuntimeDigests.Sha256(corrupt);

        await using (var writer = await _store.OpenWriterAsync(digest, data.Length, cts.Token))
        {
            await writer.WriteAsync(corrupt, cts.Token);
            var error = await Assert.ThrowsAsync<ContentDigestMismatchException>(() => writer.CommitAsync(cts.Token));
            Assert.Contains(digest, error.Message, StringComparison.Ordinal);
            Assert.Contains(actual, error.Message, StringComparison.Ordinal);
        }

        Assert.Null(await _store.InfoAsync(digest, cts.Token));
        Assert.False(File.Exists(_temp.Combine("content", "blobs", "sha256", RuntimeDigests.Hex(digest))));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Combine("content", "ingest")));

        // The next attempt starts from zero, not from the discarded bytes.
        await using var retry = await _store.OpenWriterAsync(digest, data.Length, cts.Token);
        Assert.Equal(0, retry.Offset);
    }

    [Fact]
    public async Task Writing_past_the_expected_size_is_a_mismatch()
    {
        using var cts = TestDeadline.Seconds(60);
        var (data, digest) = RandomBlob(1000);

        await using var writer = await _store.OpenWriterAsync(digest, data.Length - 1, cts.Token);
        await Assert.ThrowsAsync<ContentDigestMismatchException>(() => writer.WriteAsync(data, cts.Token));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Combine("content", "ingest")));
    }

    [Fact]
    public async Task Second_writer_of_a_digest_waits_for_the_first_and_both_commit_the_same_blob()
    {
        using var cts = TestDeadline.Seconds(60);
        var (data, digest) = RandomBlob(1024 * 1024);

        var first = await _store.OpenWriterAsync(digest, data.Length, cts.Token);
        var secondOpening = _store.OpenWriterAsync(digest, data.Length, cts.Token);
        Assert.False(secondOpening.IsCompleted);

        await WriteInChunksAsync(first, data, 0, cts.Token);
        await first.CommitAsync(cts.Token);
        await first.DisposeAsync();

        await using var second = await secondOpening;
        Assert.Equal(0, second.Offset);
        await WriteInChunksAsync(second, data, 0, cts.Token);
        Assert.Equal(digest, (await second.CommitAsync(cts.Token)).Digest);

        await using var read = await _store.OpenReadAsync(digest, cts.Token);
        Assert.Equal(data, await ReadAllAsync(read, cts.Token));
    }

    [Fact]
    public async Task Many_concurrent_writers_of_one_digest_all_succeed_without_corruption()
    {
        using var cts = TestDeadline.Seconds(60);
        var (data, digest) = RandomBlob(512 * 1024);

        var writers = Enumerable.Range(0, 8).Select(_ => Task.Run(
            async () =>
            {
                await using var writer = await _store.OpenWriterAsync(digest, data.Length, cts.Token);
                await WriteInChunksAsync(writer, data, writer.Offset, cts.Token);
                return await writer.CommitAsync(cts.Token);
            },
            cts.Token));

        var infos = await Task.WhenAll(writers);
        Assert.All(infos, info => Assert.Equal(data.Length, info.Size));
        await using var read = await _store.OpenReadAsync(digest, cts.Token);
        Assert.Equal(data, await ReadAllAsync(read, cts.Token));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Combine("content", "ingest")));
    }

    [Fact]
    public async Task Digests_other_than_valid_sha256_are_refused_before_touching_the_disk()
    {
        using var cts = TestDeadline.Seconds(60);
        string[] invalid = ["sha256:../../etc/passwd", "md5:d41d8cd98f00b204e9800998ecf8427e", "sha256:" + new string('A', 64), "sha256:abc"];
        foreach (var digest in invalid)
        {
            await Assert.ThrowsAsync<FormatException>(() => _store.OpenWriterAsync(digest, 1, cts.Token));
            await Assert.ThrowsAsync<FormatException>(() => _store.InfoAsync(digest, cts.Token));
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Combine("content", "ingest")));
    }

    [Fact]
    public async Task Missing_blob_is_not_found_and_delete_of_it_is_no_error()
    {
        using var cts = TestDeadline.Seconds(60);
        var (_, digest) = RandomBlob(10);

        var error = await Assert.ThrowsAsync<RuntimeException>(() => _store.OpenReadAsync(digest, cts.Token));
        Assert.Equal(RuntimeErrorKind.NotFound, error.Kind);
        await _store.DeleteAsync(digest, cts.Token);
    }

    private static (byte[] Data, string Digest) RandomBlob(int size)
    {
        var data = RandomNumberGenerator.GetBytes(size);
        return (data, RuntimeDigests.Sha256(data));
    }

    private static async Task WriteInChunksAsync(IContentWriter writer, byte[] data, long from, CancellationToken cancellationToken)
    {
        const int chunk = 100_000;
        for (var offset = (int)from; offset < data.Length; offset += chunk)
        {
            await writer.WriteAsync(data.AsMemory(offset, Math.Min(chunk, data.Length - offset)), cancellationToken);
            await Task.Yield();
        }
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, cancellationToken);
        return copy.ToArray();
    }
}
