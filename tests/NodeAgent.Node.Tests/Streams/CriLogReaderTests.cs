using System.Text;
using NodeAgent.Node.Streams;
using NodeAgent.Testing.Common;

namespace NodeAgent.Node.Tests.Streams;

/// <summary>The CRI log reader against real files in the format conmon writes.</summary>
public sealed class CriLogReaderTests : IDisposable
{
    private const string Log = """
        2026-11-29T01:00:00.100000000Z stdout F one
        2026-11-29T01:00:01.000000000Z stderr F two
        2026-11-29T01:00:02.123456789Z stdout P thr
        2026-11-29T01:00:02.123456790Z stdout F ee
        2026-11-29T01:00:03.500000000Z stdout F four

        """;

    private readonly TempDirectory _dir = new("nodeagent-logreader");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Reads_content_only_and_joins_partial_lines()
    {
        Assert.Equal("one\ntwo\nthree\nfour\n", await ReadAsync(new LogReadOptions()));
    }

    [Fact]
    public async Task Tail_counts_file_lines_from_the_end()
    {
        Assert.Equal("four\n", await ReadAsync(new LogReadOptions { TailLines = 1 }));
        Assert.Equal("ee\nfour\n", await ReadAsync(new LogReadOptions { TailLines = 2 }));
        Assert.Equal("one\ntwo\nthree\nfour\n", await ReadAsync(new LogReadOptions { TailLines = 100 }));
        Assert.Equal("", await ReadAsync(new LogReadOptions { TailLines = 0 }));
    }

    [Fact]
    public async Task Tail_is_counted_from_the_length_measured_at_the_request_not_from_lines_written_since()
    {
        // CopyAsync measures the file once and both finds the tail and stops reading at that length; lines the
        // container appends meanwhile are in neither (CI saw --tail=5 print fifteen lines when the tail used a later length).
        var path = _dir.Combine("growing.log");
        await File.WriteAllTextAsync(path, Log);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = file.Length;
        await File.AppendAllTextAsync(path, "2026-11-29T01:00:04Z stdout F five\n2026-11-29T01:00:05Z stdout F six\n");

        var start = await CriLogReader.TailStartAsync(file, 1, length, CancellationToken.None);

        Assert.Equal(Encoding.UTF8.GetByteCount(Log) - Encoding.UTF8.GetByteCount("2026-11-29T01:00:03.500000000Z stdout F four\n"), start);
    }

    [Fact]
    public async Task Since_timestamps_and_limit_bytes()
    {
        Assert.Equal("three\nfour\n", await ReadAsync(new LogReadOptions { Since = DateTimeOffset.Parse("2026-11-29T01:00:02Z", System.Globalization.CultureInfo.InvariantCulture) }));
        Assert.Equal("2026-11-29T01:00:00.1Z one\n2026-11-29T01:00:01Z two\n", await ReadAsync(new LogReadOptions { Timestamps = true, LimitBytes = 52 }));
        Assert.Equal("one\ntw", await ReadAsync(new LogReadOptions { LimitBytes = 6 }));
    }

    [Fact]
    public async Task Skips_lines_that_are_not_cri_records()
    {
        var path = _dir.Combine("bad.log");
        await File.WriteAllTextAsync(path, "garbage\n2026-11-29T01:00:00Z stdout F ok\n\n");
        using var output = new MemoryStream();
        await new CriLogReader().CopyAsync(path, new LogReadOptions(), output, _ => Task.FromResult(false), CancellationToken.None);
        Assert.Equal("ok\n", Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public async Task Follow_streams_appended_lines_until_the_container_stops()
    {
        using var deadline = TestDeadline.Seconds(30);
        var path = _dir.Combine("follow.log");
        await File.WriteAllTextAsync(path, "2026-11-29T01:00:00Z stdout F first\n", deadline.Token);
        var running = true;
        using var output = new ObservedStream();
        var reader = new CriLogReader(pollInterval: TimeSpan.FromMilliseconds(20));
        var follow = reader.CopyAsync(path, new LogReadOptions { Follow = true }, output, _ => Task.FromResult(Volatile.Read(ref running)), deadline.Token);

        await output.WaitForAsync("first\n", deadline.Token);
        await File.AppendAllTextAsync(path, "2026-11-29T01:00:01Z stdout F second\n", deadline.Token);
        await output.WaitForAsync("first\nsecond\n", deadline.Token);
        Assert.False(follow.IsCompleted);

        // The last line written just before the exit is still delivered, then the stream ends.
        await File.AppendAllTextAsync(path, "2026-11-29T01:00:02Z stdout F last\n", deadline.Token);
        Volatile.Write(ref running, false);
        await follow.WaitAsync(deadline.Token);
        Assert.Equal("first\nsecond\nlast\n", output.Text);
    }

    [Fact]
    public async Task Follow_continues_across_a_rotation_without_losing_or_repeating_lines()
    {
        using var deadline = TestDeadline.Seconds(30);
        var path = _dir.Combine("0.log");
        await File.WriteAllTextAsync(path, "2026-11-29T01:00:00Z stdout F a\n", deadline.Token);
        var running = true;
        using var output = new ObservedStream();
        var reader = new CriLogReader(pollInterval: TimeSpan.FromMilliseconds(20));
        var follow = reader.CopyAsync(path, new LogReadOptions { Follow = true }, output, _ => Task.FromResult(Volatile.Read(ref running)), deadline.Token);
        await output.WaitForAsync("a\n", deadline.Token);

        // The rotation's order of events: rename, a last write to the renamed file (the runtime still holds it), then
        // the reopen creates the new file, which gets the next line; a second rotation follows at once.
        using (var old = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            File.Move(path, path + ".20261129-010001");
            await old.WriteAsync("2026-11-29T01:00:01Z stdout F b\n"u8.ToArray(), deadline.Token);
        }

        await File.WriteAllTextAsync(path, "2026-11-29T01:00:02Z stdout F c\n", deadline.Token);
        await output.WaitForAsync("a\nb\nc\n", deadline.Token);
        File.Move(path, path + ".20261129-010003");
        File.Delete(path + ".20261129-010003"); // a reader holding the file still drains it
        await File.WriteAllTextAsync(path, "2026-11-29T01:00:04Z stdout F d\n", deadline.Token);
        await output.WaitForAsync("a\nb\nc\nd\n", deadline.Token);

        Volatile.Write(ref running, false);
        await follow.WaitAsync(deadline.Token);
        Assert.Equal("a\nb\nc\nd\n", output.Text);
    }

    private async Task<string> ReadAsync(LogReadOptions options)
    {
        var path = _dir.Combine("c.log");
        await File.WriteAllTextAsync(path, Log.Replace("\r\n", "\n", StringComparison.Ordinal));
        using var output = new MemoryStream();
        await new CriLogReader().CopyAsync(path, options, output, _ => Task.FromResult(false), CancellationToken.None);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    /// <summary>A memory stream a test can wait on until some text arrived (signalled on every flush).</summary>
    private sealed class ObservedStream : MemoryStream
    {
        private readonly SemaphoreSlim _flushed = new(0);

        public string Text
        {
            get
            {
                lock (this)
                {
                    return Encoding.UTF8.GetString(ToArray());
                }
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            lock (this)
            {
                Write(buffer, offset, count);
            }

            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            lock (this)
            {
                Write(buffer.Span);
            }

            return ValueTask.CompletedTask;
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            _flushed.Release();
            return Task.CompletedTask;
        }

        public async Task WaitForAsync(string expected, CancellationToken ct)
        {
            while (Text != expected)
            {
                await _flushed.WaitAsync(ct);
            }
        }

        protected override void Dispose(bool disposing)
        {
            _flushed.Dispose();
            base.Dispose(disposing);
        }
    }
}
