using k8s.Models;
using NodeAgent.Api.Resources;
using NodeAgent.Api.Resources.Cluster;
using static NodeAgent.Api.Tests.Resources.Core.StrategyKit;

namespace NodeAgent.Api.Tests.Resources.Cluster;

public sealed class EventsV1EventStrategyTests
{
    private const string Complete = """
        apiVersion: events.k8s.io/v1
        kind: Event
        metadata: {name: web-1.1, namespace: default}
        eventTime: 2026-01-01T11:58:00.000000Z
        regarding: {kind: Pod, namespace: default, name: web-1}
        reportingController: nodeagent.io/scheduler
        reportingInstance: n1
        action: Binding
        reason: Scheduled
        note: Successfully assigned default/web-1 to n1
        type: Normal
        """;

    private readonly EventsV1EventStrategy _strategy = new();

    [Fact]
    public void A_complete_event_is_valid_and_prints_like_a_core_event()
    {
        var ev = Yaml<Eventsv1Event>(Complete);
        Assert.Empty(Create(_strategy, ev));
        Assert.Equal(
            ["2m", "Normal", "Scheduled", "pod/web-1", "", "nodeagent.io/scheduler, n1", "Successfully assigned default/web-1 to n1", "2m", 1L, "web-1.1"],
            _strategy.Cells(ev, Now));
    }

    public static TheoryData<string, string, string[]> Invalid => new()
    {
        { "no eventTime", Complete.Replace("eventTime: 2026-01-01T11:58:00.000000Z\n", "", StringComparison.Ordinal), ["eventTime|FieldValueRequired|Required value"] },
        { "no action", Complete.Replace("action: Binding\n", "", StringComparison.Ordinal), ["action|FieldValueRequired|Required value"] },
        { "no reason", Complete.Replace("reason: Scheduled\n", "", StringComparison.Ordinal), ["reason|FieldValueRequired|Required value"] },
        {
            "no reporting instance", Complete.Replace("reportingInstance: n1\n", "", StringComparison.Ordinal),
            ["reportingInstance|FieldValueRequired|Required value"]
        },
        { "bad type", Complete.Replace("type: Normal", "type: Fatal", StringComparison.Ordinal), ["type|FieldValueInvalid|Invalid value: \"\": has invalid value: Fatal"] },
        { "deprecated count set (reported by its core name)", Complete + "\ndeprecatedCount: 2", ["count|FieldValueInvalid|Invalid value: \"\": needs to be unset"] },
        {
            "deprecated source set", Complete + "\ndeprecatedSource: {component: kubelet}",
            ["source|FieldValueInvalid|Invalid value: \"\": needs to be unset"]
        },
        {
            "a series of one", Complete + "\nseries: {count: 1, lastObservedTime: 2026-01-01T11:59:00.000000Z}",
            ["series.count|FieldValueInvalid|Invalid value: \"\": should be at least 2"]
        },
        {
            "long reason", Complete.Replace("reason: Scheduled", "reason: " + new string('r', 129), StringComparison.Ordinal),
            ["reason|FieldValueInvalid|Invalid value: \"\": can have at most 128 characters"]
        },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Strict_validation_of_the_new_API(string why, string yaml, string[] expected)
    {
        var ev = Yaml<Eventsv1Event>(yaml);
        Assert.True(expected.SequenceEqual(Lines(Create(_strategy, ev))), $"{why}: {string.Join(" / ", Lines(_strategy.ValidateCreate(ev)))}");
    }

    [Fact]
    public void Only_the_series_may_change()
    {
        var old = Yaml<Eventsv1Event>(Complete);
        var seen = Yaml<Eventsv1Event>(Complete + "\nseries: {count: 2, lastObservedTime: 2026-01-01T11:59:00.000000Z}");
        Assert.Empty(_strategy.ValidateUpdate(seen, old));

        var edited = Yaml<Eventsv1Event>(Complete.Replace("reason: Scheduled", "reason: Moved", StringComparison.Ordinal));
        Assert.Equal(["reason|FieldValueInvalid|Invalid value: \"Moved\": field is immutable"], Lines(_strategy.ValidateUpdate(edited, old)));
    }

    [Fact]
    public void Field_selectors_work_with_both_spellings()
    {
        var fields = ((IResourceStrategy)_strategy).SelectableFields(Yaml<Eventsv1Event>(Complete));
        Assert.Equal("web-1", fields["involvedObject.name"]);
        Assert.Equal("web-1", fields["regarding.name"]);
        Assert.Equal("nodeagent.io/scheduler", fields["reportingController"]);
        Assert.Equal("nodeagent.io/scheduler", fields["source"]);
        Assert.Equal("Scheduled", fields["reason"]);
    }
}
