namespace NodeAgent.Runtime.Images.Distribution;

/// <summary>
/// A blob body: owns the HTTP response, skips the first bytes when a server ignored our Range
/// request, and turns a body that stalls for <c>idleTimeout</c> into an <see cref="IOException"/>
/// so the caller resumes instead of hanging.
/// </summary>
internal sealed class RegistryBlobStream(HttpResponseMessage response, Stream body, long skip, TimeSpan idleTimeout, TimeProvider time, string what)
    : Stream
{
    // One idle timer per stream, re-armed per read and disarmed between reads (a caller applying
    // backpressure is not an idle server); allocating timers per read was most of a pull's garbage.
    private readonly CancellationTokenSource _idle = new(Timeout.InfiniteTimeSpan, time);
    private CancellationTokenSource? _linked;
    private CancellationToken _linkedTo;
    private long _skip = skip;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var token = Link(cancellationToken);
        _idle.CancelAfter(idleTimeout);
        try
        {
            while (_skip > 0)
            {
                // The server sent the whole blob (200 to a Range request): drop what the caller has.
                var skipped = await body.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _skip)], token).ConfigureAwait(false);
                if (skipped == 0)
                {
                    throw new IOException($"{what}: the response ended before the resume offset");
                }

                _skip -= skipped;
                _idle.CancelAfter(idleTimeout);
            }

            var read = await body.ReadAsync(buffer, token).ConfigureAwait(false);
            _position += read;
            return read;
        }
        catch (OperationCanceledException e) when (_idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"{what}: no data for {idleTimeout.TotalSeconds:0.#} s", e);
        }
        finally
        {
            _idle.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>Synchronous reads have no idle timeout (nothing here uses them).</summary>
    public override int Read(Span<byte> buffer)
    {
        while (_skip > 0 && !buffer.IsEmpty)
        {
            var skipped = body.Read(buffer[..(int)Math.Min(buffer.Length, _skip)]);
            if (skipped == 0)
            {
                throw new IOException($"{what}: the response ended before the resume offset");
            }

            _skip -= skipped;
        }

        var read = body.Read(buffer);
        _position += read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>The idle token joined with the caller's; the link is made once per distinct caller token.</summary>
    private CancellationToken Link(CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            return _idle.Token;
        }

        if (_linked is null || _linkedTo != cancellationToken)
        {
            _linked?.Dispose();
            _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _idle.Token);
            _linkedTo = cancellationToken;
        }

        return _linked.Token;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _linked?.Dispose();
            _idle.Dispose();
            body.Dispose();
            response.Dispose();
        }

        base.Dispose(disposing);
    }
}
