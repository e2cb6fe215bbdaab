using System.Globalization;
using NodeAgent.Runtime.Images.Pull;

namespace NodeAgent.Cli;

/// <summary>
/// A one-line progress bar on stderr (bytes, total, rate), redrawn at most 10 times a second;
/// on a non-terminal it prints only the final line so logs stay readable.
/// </summary>
internal sealed class ProgressBar(TextWriter output, TimeProvider time) : IProgress<PullProgress>, IDisposable
{
    private const int Width = 30;
    private readonly Lock _gate = new();
    private readonly long _started = time.GetTimestamp();
    private readonly bool _interactive = !Console.IsErrorRedirected && ReferenceEquals(output, Console.Error);
    private long _lastDraw;
    private PullProgress? _last;

    public void Report(PullProgress value)
    {
        lock (_gate)
        {
            _last = value;
            var now = time.GetTimestamp();
            if (_interactive && time.GetElapsedTime(_lastDraw, now) >= TimeSpan.FromMilliseconds(100))
            {
                _lastDraw = now;
                output.Write("\r" + Render(value));
            }
        }
    }

    public void Complete()
    {
        lock (_gate)
        {
            if (_last is not null)
            {
                output.Write((_interactive ? "\r" : string.Empty) + Render(_last with { BytesDone = _last.BytesTotal }) + "\n");
                _last = null;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_interactive && _last is not null)
            {
                output.Write('\n');
            }
        }
    }

    private string Render(PullProgress progress)
    {
        var fraction = progress.BytesTotal == 0 ? 1 : (double)progress.BytesDone / progress.BytesTotal;
        var filled = (int)Math.Round(fraction * Width);
        var seconds = Math.Max(time.GetElapsedTime(_started).TotalSeconds, 0.001);
        var rate = ImageTable.HumanSize((long)(progress.BytesDone / seconds));
        return string.Create(CultureInfo.InvariantCulture,
            $"{progress.Reference} [{new string('=', filled)}{new string(' ', Width - filled)}] {ImageTable.HumanSize(progress.BytesDone)}/{ImageTable.HumanSize(progress.BytesTotal)} {rate}/s");
    }
}
