using k8s.Models;
using NodeAgent.Controllers.Machinery;

namespace NodeAgent.Controllers.Tests.Machinery;

public sealed class EventAggregatorTests
{
    private static readonly DateTime T0 = new(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    [Fact]
    public void The_first_event_is_created_with_count_one_and_upstream_naming()
    {
        var aggregator = new EventAggregator(new EventSource("kubelet", "node-1"));
        var write = Assert.IsType<EventWrite.Create>(aggregator.Next(Record("Pulling", "Pulling image \"busybox\"", T0)));
        var e = write.Event;
        Assert.StartsWith("web.", e.Metadata.Name, StringComparison.Ordinal);
        Assert.Equal("default", e.Metadata.NamespaceProperty);
        Assert.Equal(1, e.Count);
        Assert.Equal(T0, e.FirstTimestamp);
        Assert.Equal(T0, e.LastTimestamp);
        Assert.Equal("kubelet", e.Source.Component);
        Assert.Equal("node-1", e.Source.Host);
        Assert.Equal("spec.containers{web}", e.InvolvedObject.FieldPath);
    }

    [Fact]
    public void Identical_events_bump_count_and_last_timestamp_of_the_first()
    {
        var aggregator = new EventAggregator(new EventSource("kubelet", "node-1"));
        var created = Assert.IsType<EventWrite.Create>(aggregator.Next(Record("BackOff", "Back-off restarting failed container", T0)));
        var bump = Assert.IsType<EventWrite.Bump>(aggregator.Next(Record("BackOff", "Back-off restarting failed container", T0.AddSeconds(10))));
        var again = Assert.IsType<EventWrite.Bump>(aggregator.Next(Record("BackOff", "Back-off restarting failed container", T0.AddSeconds(30))));
        Assert.Equal(created.Event.Metadata.Name, bump.Name);
        Assert.Equal((2, 3), (bump.Count, again.Count));
        Assert.Equal(T0.AddSeconds(30), again.LastTimestamp);
    }

    [Fact]
    public void Different_reason_or_message_makes_a_new_event_and_forget_starts_over()
    {
        var aggregator = new EventAggregator(new EventSource("kubelet", "node-1"));
        Assert.IsType<EventWrite.Create>(aggregator.Next(Record("Started", "Started container web", T0)));
        Assert.IsType<EventWrite.Create>(aggregator.Next(Record("Killing", "Stopping container web", T0)));
        Assert.IsType<EventWrite.Create>(aggregator.Next(Record("Started", "Started container other", T0)));

        aggregator.Forget(Record("Started", "Started container web", T0));
        Assert.IsType<EventWrite.Create>(aggregator.Next(Record("Started", "Started container web", T0)));
    }

    [Fact]
    public void The_cache_is_bounded()
    {
        var aggregator = new EventAggregator(new EventSource("kubelet"), capacity: 2);
        aggregator.Next(Record("A", "a", T0));
        aggregator.Next(Record("B", "b", T0));
        aggregator.Next(Record("C", "c", T0));
        Assert.IsType<EventWrite.Create>(aggregator.Next(Record("A", "a", T0)));
        Assert.IsType<EventWrite.Bump>(aggregator.Next(Record("C", "c", T0)));
    }

    private static EventRecord Record(string reason, string message, DateTime time)
        => new(new V1ObjectReference { Kind = "Pod", ApiVersion = "v1", NamespaceProperty = "default", Name = "web", Uid = "u1", FieldPath = "spec.containers{web}" }, "Normal", reason, message, time);
}
