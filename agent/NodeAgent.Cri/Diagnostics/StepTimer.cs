using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace NodeAgent.Cri.Diagnostics;

/// <summary>
/// Milliseconds per step of one operation, for a Debug log line (<c>network=12.1 infra=41.0 total=60.3</c>): the
/// runtime's sandbox and container operations (which bench/NodeAgent.PodBench aggregates) and the node's pod syncs
/// that start something. Steps run beside the marked ones are added with their own duration.
/// </summary>
public sealed class StepTimer
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
        Append(step, Stopwatch.GetElapsedTime(Interlocked.Exchange(ref _last, now), now));
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

    // Concurrent branches of one operation record their steps at the same time.
    private void Append(string step, TimeSpan elapsed)
    {
        lock (_gate)
        {
            _steps.Append(CultureInfo.InvariantCulture, $"{step}={elapsed.TotalMilliseconds:F1} ");
        }
    }
}
