using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace NodeAgent.Runtime.Sandboxes;

/// <summary>
/// Milliseconds per step of one sandbox or container operation, for a Debug log line
/// (<c>network=12.1 infra=41.0 total=60.3</c>) that bench/NodeAgent.PodBench aggregates.
/// </summary>
internal sealed class StepTimer
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly StringBuilder _steps = new();
    private readonly Lock _gate = new();
    private long _last;

    public StepTimer() => _last = _start;

    /// <summary>Records the time since the previous mark (or the start) under <paramref name="step"/>.</summary>
    public void Mark(string step)
    {
        var now = Stopwatch.GetTimestamp();
        Append(step, Stopwatch.GetElapsedTime(_last, now));
        _last = now;
    }

    /// <summary>Records a step timed elsewhere (one branch of steps run concurrently).</summary>
    public void Add(string step, TimeSpan elapsed) => Append(step, elapsed);

    public override string ToString()
    {
        lock (_gate)
        {
            return _steps.ToString() + string.Create(CultureInfo.InvariantCulture, $"total={Stopwatch.GetElapsedTime(_start).TotalMilliseconds:F1}");
        }
    }

    // Concurrent branches of one operation (network and infra) record their steps at the same time.
    private void Append(string step, TimeSpan elapsed)
    {
        lock (_gate)
        {
            _steps.Append(CultureInfo.InvariantCulture, $"{step}={elapsed.TotalMilliseconds:F1} ");
        }
    }
}
