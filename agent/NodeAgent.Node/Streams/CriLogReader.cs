using System.Buffers;
using System.Text;

namespace NodeAgent.Node.Streams;

/// <summary>What <c>pods/log</c> asks for, after validation; null means "not set".</summary>
public sealed record LogReadOptions
{
    public bool Follow { get; init; }

    public long? TailLines { get; init; }

    public DateTimeOffset? Since { get; init; }

    public bool Timestamps { get; init; }

    public long? LimitBytes { get; init; }
}

/// <summary>
/// Reads a CRI log file the way kubelet's <c>ReadLogs</c> does: the last <c>tailLines</c> records, those at or after
/// <c>since</c>, content only (or with the timestamp), cut at <c>limitBytes</c>; with <c>follow</c> it keeps reading
/// what conmon appends until the container stops running and the file is drained. A follow goes on across a log
/// rotation: once the path names a new file, it drains the renamed one and continues at the start of the new one.
/// </summary>
public sealed class CriLogReader
{
    private const int ChunkBytes = 16 * 1024;

    private readonly TimeProvider _time;
    private readonly TimeSpan _pollInterval;

    public CriLogReader(TimeProvider? time = null, TimeSpan? pollInterval = null)
    {
        _time = time ?? TimeProvider.System;
        _pollInterval = pollInterval ?? TimeSpan.FromMilliseconds(250);
    }

    /// <param name="isRunning">Asked while following at the end of the file: false ends the stream once drained.</param>
    public async Task CopyAsync(string path, LogReadOptions options, Stream output, Func<CancellationToken, Task<bool>> isRunning, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(isRunning);
        var file = Open(path);
        try
        {
            // Without follow the answer is the file as it was when asked: a container writing fast would otherwise add
            // lines while they are read (or while the tail is searched for), and --tail=5 could print fifteen.
            var length = file.Length;
            file.Seek(options.TailLines is { } tail ? await TailStartAsync(file, tail, length, ct) : 0, SeekOrigin.Begin);
            var identity = FileIdentity.Of(file.SafeFileHandle);
            var writer = new LogWriter(options, output);
            var pending = new ArrayBufferWriter<byte>();
            var chunk = new byte[ChunkBytes];
            var stopAfterDrain = !options.Follow;
            var end = options.Follow ? long.MaxValue : length;
            var rotated = false;
            while (!writer.LimitReached)
            {
                var read = await file.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, end - file.Position)), ct);
                if (read > 0)
                {
                    await writer.WriteLinesAsync(pending, chunk.AsMemory(0, read), ct);
                    continue;
                }

                await output.FlushAsync(ct);
                if (stopAfterDrain)
                {
                    return;
                }

                if (rotated && TryOpen(path) is { } next)
                {
                    // The old file is drained (nothing is written to it once its successor exists): go on with the new
                    // one from its start, as kubelet's follow reopens a rotated log.
                    await file.DisposeAsync();
                    file = next;
                    identity = FileIdentity.Of(file.SafeFileHandle);
                    rotated = false;
                    continue;
                }

                if (!rotated && identity is { } held && FileIdentity.Of(path) is { } now && now != held)
                {
                    // Rotated: the runtime may have appended to the old file after the read above and before it
                    // switched, so read the old one to its end once more before moving on.
                    rotated = true;
                    continue;
                }

                // One more pass after the container stopped picks up its last lines.
                stopAfterDrain = !await isRunning(ct);
                if (!stopAfterDrain)
                {
                    await Task.Delay(_pollInterval, _time, ct);
                }
            }

            await output.FlushAsync(ct);
        }
        finally
        {
            await file.DisposeAsync();
        }
    }

    // Shared with conmon writing and with rotation renaming or deleting the file under a reader.
    private static FileStream Open(string path)
        => new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, ChunkBytes, useAsync: true);

    /// <summary>The file now at <paramref name="path"/>; null while a rotation has renamed it and the runtime has not yet reopened it.</summary>
    private static FileStream? TryOpen(string path)
    {
        try
        {
            return Open(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// The offset of the <paramref name="lines"/>-th line from <paramref name="length"/> (a final newline ends the last
    /// line, it does not start one).
    /// </summary>
    internal static async Task<long> TailStartAsync(FileStream file, long lines, long length, CancellationToken ct)
    {
        if (lines <= 0)
        {
            return length;
        }

        var buffer = new byte[ChunkBytes];
        var position = length;
        long seen = 0;
        while (position > 0)
        {
            var count = (int)Math.Min(buffer.Length, position);
            position -= count;
            file.Seek(position, SeekOrigin.Begin);
            await file.ReadExactlyAsync(buffer.AsMemory(0, count), ct);
            for (var i = count - 1; i >= 0; i--)
            {
                if (buffer[i] == (byte)'\n' && position + i != length - 1 && ++seen == lines)
                {
                    return position + i + 1;
                }
            }
        }

        return 0;
    }

    /// <summary>Turns complete file lines into output, carrying an unfinished line over to the next chunk.</summary>
    private sealed class LogWriter(LogReadOptions options, Stream output)
    {
        private long _written;

        public bool LimitReached => options.LimitBytes is { } limit && _written >= limit;

        public async Task WriteLinesAsync(ArrayBufferWriter<byte> pending, ReadOnlyMemory<byte> chunk, CancellationToken ct)
        {
            var rest = chunk;
            while (!LimitReached && rest.Span.IndexOf((byte)'\n') is var newline and >= 0)
            {
                ReadOnlyMemory<byte> line;
                if (pending.WrittenCount > 0)
                {
                    pending.Write(rest.Span[..newline]);
                    line = pending.WrittenMemory.ToArray();
                    pending.Clear();
                }
                else
                {
                    line = rest[..newline];
                }

                rest = rest[(newline + 1)..];
                if (CriLogRecord.Parse(line) is { } record && (options.Since is not { } since || record.Time >= since))
                {
                    await WriteAsync(Render(record), ct);
                }
            }

            if (!LimitReached)
            {
                pending.Write(rest.Span);
            }
        }

        private byte[] Render(CriLogRecord record)
        {
            var prefix = options.Timestamps ? Encoding.ASCII.GetBytes(record.FormatTimestamp() + " ") : [];
            var bytes = new byte[prefix.Length + record.Content.Length + (record.Partial ? 0 : 1)];
            prefix.CopyTo(bytes, 0);
            record.Content.Span.CopyTo(bytes.AsSpan(prefix.Length));
            if (!record.Partial)
            {
                bytes[^1] = (byte)'\n';
            }

            return bytes;
        }

        private async Task WriteAsync(byte[] bytes, CancellationToken ct)
        {
            var count = options.LimitBytes is { } limit ? (int)Math.Min(bytes.Length, limit - _written) : bytes.Length;
            await output.WriteAsync(bytes.AsMemory(0, count), ct);
            _written += count;
        }
    }
}
