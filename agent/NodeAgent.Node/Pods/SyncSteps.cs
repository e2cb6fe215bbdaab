using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace NodeAgent.Node.Pods;

/// <summary>
/// Milliseconds per step of one pod sync that started something, for a Debug log line
/// (<c>sandboxes=0.9 volumes=2.1 … sandbox=71.0 … total=190.4</c>): where a pod's start-up time goes on the node side.
/// A step run beside others (the new sandbox) is added with its own duration.
/// </summary>
internal sealed class SyncSteps
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly StringBuilder _steps = new();
    private readonly Lock _gate = new();
    private long _last;

    public SyncSteps() => _last = _start;

    /// <summary>Records the time since the previous mark (or the start) under <paramref name="step"/>.</summary>
    public void Mark(string step)
    {
        var now = Stopwatch.GetTimestamp();
        Append(step, Stopwatch.GetElapsedTime(Interlocked.Exchange(ref _last, now), now));
    }

    /// <summary>Records a step that ran beside the marked ones.</summary>
    public void Add(string step, TimeSpan elapsed) => Append(step, elapsed);

    public override string ToString()
    {
        lock (_gate)
        {
            return _steps.ToString() + string.Create(CultureInfo.InvariantCulture, $"total={Stopwatch.GetElapsedTime(_start).TotalMilliseconds:F1}");
        }
    }

    private void Append(string step, TimeSpan elapsed)
    {
        lock (_gate)
        {
            _steps.Append(CultureInfo.InvariantCulture, $"{step}={elapsed.TotalMilliseconds:F1} ");
        }
    }
}
