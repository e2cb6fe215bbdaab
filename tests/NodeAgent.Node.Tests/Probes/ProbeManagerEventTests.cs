using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Node.Probes;
using NodeAgent.Testing.Common;

namespace NodeAgent.Node.Tests.Probes;

/// <summary>
/// Probe failures become kubelet's Warning <c>Unhealthy</c> events, one per failed attempt, with the probe kind in front
/// of the handler's output and the container's fieldPath; successes record nothing.
/// </summary>
public sealed class ProbeManagerEventTests
{
    [Fact]
    public async Task Each_failed_attempt_is_an_unhealthy_event_named_after_its_probe_kind()
    {
        using var deadline = TestDeadline.Seconds(30);
        var events = new RecordingEvents();
        var container = new V1Container
        {
            Name = "app",
            StartupProbe = Probe("startup"),
            LivenessProbe = Probe("liveness"),
            ReadinessProbe = Probe("readiness"),
        };
        var startupFailures = 0;
        // Startup fails twice then passes, so liveness and readiness run (and fail) after it.
        Task<ProbeResult> RunProbe(V1Probe probe, ProbeTarget target, CancellationToken ct)
        {
            var which = probe.Exec.Command[0];
            return Task.FromResult(which == "startup" && Interlocked.Increment(ref startupFailures) > 2
                ? ProbeResult.Ok()
                : ProbeResult.Fail($"{which} output\n"));
        }

        var pod = TestPods.Pod("probed", container);
        await using (var manager = new ProbeManager(RunProbe, TimeProvider.System, _ => { }, events, NullLogger<ProbeManager>.Instance))
        {
            manager.Start(pod, new ProbeTarget("c1", "10.0.0.2", container));
            await Eventually.UntilAsync(
                _ => Task.FromResult(events.Events.Any(e => e.Message.StartsWith("Liveness", StringComparison.Ordinal))
                    && events.Events.Any(e => e.Message.StartsWith("Readiness", StringComparison.Ordinal)) ? events : null),
                "liveness and readiness failures after startup passed",
                deadline.Token);
        }

        var recorded = events.Events;
        Assert.All(recorded, e =>
        {
            Assert.Equal("Warning", e.Type);
            Assert.Equal("Unhealthy", e.Reason);
            Assert.Equal("spec.containers{app}", e.FieldPath);
        });
        Assert.Equal(2, recorded.Count(e => e.Message == "Startup probe failed: startup output\n"));
        Assert.Contains(recorded, e => e.Message == "Liveness probe failed: liveness output\n");
        Assert.Contains(recorded, e => e.Message == "Readiness probe failed: readiness output\n");
    }

    [Fact]
    public async Task A_passing_probe_records_no_event()
    {
        using var deadline = TestDeadline.Seconds(30);
        var events = new RecordingEvents();
        var container = new V1Container { Name = "app", ReadinessProbe = Probe("readiness") };
        var changed = new TaskCompletionSource();
        await using (var manager = new ProbeManager(
            (_, _, _) => Task.FromResult(ProbeResult.Ok("fine")), TimeProvider.System, _ => changed.TrySetResult(), events, NullLogger<ProbeManager>.Instance))
        {
            manager.Start(TestPods.Pod("healthy", container), new ProbeTarget("c1", "10.0.0.2", container));
            await changed.Task.WaitAsync(deadline.Token);
            Assert.True(manager.Result("c1", ProbeKind.Readiness));
        }

        Assert.Empty(events.Events);
    }

    private static V1Probe Probe(string name) => new() { Exec = new V1ExecAction { Command = [name] }, PeriodSeconds = 1, FailureThreshold = 1 };
}
