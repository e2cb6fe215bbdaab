using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Images.Content;
using NodeAgent.Runtime.Images.Distribution;
using NodeAgent.Runtime.Images.Unpack;

namespace NodeAgent.Runtime.Images.Pull;

/// <summary>
/// The fast path of a layer: one pass over the network bytes feeds both the content store (hash,
/// size, fsync, rename) and the decompress+unpack into the snapshot's staging directory, so a layer
/// is unpacked while it downloads and never read back. The blob's digest is verified (by the
/// store's commit) before this returns, so a staging directory filled from wrong bytes is never
/// published. A broken connection ends with <see cref="LayerStreamBrokenException"/>: the partial
/// ingest is kept and the caller falls back to the resumable download-then-unpack path.
/// </summary>
internal sealed class StreamingLayerFetch(IRegistryClient registry, IContentStore content, ILayerUnpacker unpacker)
{
    private const int CopyBufferBytes = 128 * 1024;

    // Backpressure: the download runs at most 512 KiB ahead of the unpacker. 64 KiB segments (not the
    // 4 KiB default) keep the few in flight inside ArrayPool's cache: small ones churned ~100 MB of
    // garbage per 100 MB pull and grew the heap by ~10 MB (bench/).
    private static readonly PipeOptions Pipe = new(
        pauseWriterThreshold: 512 * 1024, resumeWriterThreshold: 256 * 1024, minimumSegmentSize: 64 * 1024, useSynchronizationContext: false);

    public async Task<UnpackResult> RunAsync(
        ImageReference reference, OciDescriptor layer, RegistryAuth? auth, string directory, PullProgressTracker progress, CancellationToken ct)
    {
        var pipe = new Pipe(Pipe);
        var download = DownloadAsync(reference, layer, auth, pipe.Writer, progress, ct);
        UnpackResult? unpacked = null;
        ExceptionDispatchInfo? unpackError = null;
        var stream = pipe.Reader.AsStream();
        await using (stream)
        {
            try
            {
                unpacked = await unpacker.UnpackAsync(stream, LayerMediaTypes.CompressionOf(layer.MediaType), directory, ct);

                // Whatever follows the end of the tar still belongs to the blob (and its digest).
                await stream.CopyToAsync(Stream.Null, ct);
            }
            catch (Exception e)
            {
                unpackError = ExceptionDispatchInfo.Capture(e);
            }
        }

        // The download's outcome wins: wrong bytes are a digest error, not whatever the unpacker made of them.
        await download;
        unpackError?.Throw();
        return unpacked!;
    }

    /// <summary>Registry → content store (verified on commit) and → the pipe, until the unpacker stops reading.</summary>
    private async Task DownloadAsync(
        ImageReference reference, OciDescriptor layer, RegistryAuth? auth, PipeWriter pipe, PullProgressTracker progress, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
        long received = 0;
        try
        {
            await using var writer = await content.OpenWriterAsync(layer.Digest, layer.Size, ct);
            if (writer.Offset > 0)
            {
                // An earlier attempt left part of the blob: only the resumable path can continue it.
                throw new LayerStreamBrokenException($"blob {layer.Digest} has a partial download to resume");
            }

            await using var source = await registry.OpenBlobAsync(reference, layer.Digest, 0, auth, ct);
            var unpackerGone = false;
            int read;
            while ((read = await source.ReadAsync(buffer, ct)) > 0)
            {
                if (writer.Offset + read > layer.Size)
                {
                    await writer.AbortAsync(ct);
                    throw new RuntimeException(
                        RuntimeErrorKind.Invalid, $"pulling {reference}: blob {layer.Digest}: registry sent more than the {layer.Size} bytes the manifest declares");
                }

                await writer.WriteAsync(buffer.AsMemory(0, read), ct);
                progress.Add(read);
                received += read;
                if (!unpackerGone)
                {
                    unpackerGone = (await pipe.WriteAsync(buffer.AsMemory(0, read), ct)).IsCompleted;
                }
            }

            try
            {
                await writer.CommitAsync(ct);
            }
            catch (ContentDigestMismatchException e)
            {
                throw new RuntimeException(RuntimeErrorKind.Invalid, $"pulling {reference}: blob {layer.Digest}: {e.Message}", e);
            }

            await pipe.CompleteAsync();
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            // The resumable path counts what the ingest holds again.
            progress.Add(-received);
            var broken = e as LayerStreamBrokenException ?? new LayerStreamBrokenException($"blob {layer.Digest} broke off: {e.Message}", e);
            await pipe.CompleteAsync(broken);
            throw broken;
        }
        catch (Exception e)
        {
            await pipe.CompleteAsync(e);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>The streamed download stopped short (connection broken, or a partial ingest to resume); the resumable path takes over.</summary>
internal sealed class LayerStreamBrokenException : IOException
{
    public LayerStreamBrokenException(string message)
        : base(message)
    {
    }

    public LayerStreamBrokenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public LayerStreamBrokenException()
    {
    }
}
