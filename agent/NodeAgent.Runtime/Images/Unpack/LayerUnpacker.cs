using System.Buffers;
using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using NodeAgent.Runtime.Snapshots;
using ZstdSharp;

namespace NodeAgent.Runtime.Images.Unpack;

/// <summary>
/// <see cref="ILayerUnpacker"/> over System.Formats.Tar: decompress → hash (the diff ID) → read
/// entries → <see cref="LayerApplier"/>. Runs synchronously on its own thread: decompression is
/// CPU-bound, the per-entry syscalls are cheapest without async hops, and a layer streamed from the
/// network blocks in reads that must not hold thread-pool threads the downloads need.
/// </summary>
public sealed class LayerUnpacker : ILayerUnpacker
{
    // Big enough that a write(2) per chunk costs little next to the copy; pooled, so a pull of many layers allocates none.
    private const int BufferBytes = 128 * 1024;

    public Task<UnpackResult> UnpackAsync(Stream layer, LayerCompression compression, string targetDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentException.ThrowIfNullOrEmpty(targetDirectory);
        var target = Path.GetFullPath(targetDirectory);
        return Task.Factory.StartNew(
            () => Unpack(layer, compression, target, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private static UnpackResult Unpack(Stream layer, LayerCompression compression, string target, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(target);
        if (Libc.LStat(target, out var stat) != 0 || !stat.IsDirectory)
        {
            throw new ArgumentException($"unpack target '{target}' is not a directory (or is a symlink)", nameof(target));
        }

        var decompressed = Decompress(layer, compression);
        var copyBuffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            using var hashing = new HashingReadStream(decompressed);
            using var buffered = new BufferedStream(hashing, BufferBytes);
            var applier = new LayerApplier(target, copyBuffer);
            using (var reader = new TarReader(buffered, leaveOpen: true))
            {
                while (reader.GetNextEntry(copyData: false) is { } entry)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    applier.Apply(entry);
                }
            }

            applier.Finish();

            // The diff ID covers the whole tar, including the end-of-archive blocks TarReader stops at.
            buffered.CopyTo(Stream.Null);
            return new UnpackResult(hashing.Digest(), hashing.BytesRead, applier.EntryCount);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copyBuffer);
            if (!ReferenceEquals(decompressed, layer))
            {
                decompressed.Dispose();
            }
        }
    }

    /// <summary>Apart, so ZstdSharp is loaded (~0.3 MB resident) only by a pull that has a zstd layer.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
#pragma warning disable CA1859 // the base type is the point: the caller's signature must not name a ZstdSharp type
    private static Stream Zstd(Stream layer) => new DecompressionStream(layer, leaveOpen: true);
#pragma warning restore CA1859

    private static Stream Decompress(Stream layer, LayerCompression compression) => compression switch
    {
        LayerCompression.None => layer,
        LayerCompression.Gzip => new GZipStream(layer, CompressionMode.Decompress, leaveOpen: true),
        LayerCompression.Zstd => Zstd(layer),
        _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, "unknown layer compression"),
    };
}
