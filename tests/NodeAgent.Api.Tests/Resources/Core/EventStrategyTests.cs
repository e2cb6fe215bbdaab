using k8s.Models;
using NodeAgent.Api.Resources;
using NodeAgent.Api.Resources.Core;
using static NodeAgent.Api.Tests.Resources.Core.StrategyKit;

namespace NodeAgent.Api.Tests.Resources.Core;

public sealed class EventStrategyTests
{
    private const string Scheduled = """
        metadata: {name: web-1.181a, namespace: default}
        involvedObject: {kind: Pod, namespace: default, name: web-1, uid: u-1, apiVersion: v1, resourceVersion: '42', fieldPath: 'spec.containers{web}'}
        reason: Pulled
        message: "Successfully pulled image \"nginx\"  "
        type: Normal
        source: {component: kubelet, host: n1}
        count: 3
        """;

    private readonly EventStrategy _strategy = new();

    [Fact]
    public void Columns_are_the_servers_event_columns()
    {
        Assert.Equal(
            ["Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen", "Count", "Name"],
            _strategy.Columns.Select(c => c.Name));
        Assert.Equal(["Subobject", "Source", "First Seen", "Count", "Name"], _strategy.Columns.Where(c => c.Priority == 1).Select(c => c.Name));
    }

    [Fact]
    public void Cells_show_ages_target_source_and_the_trimmed_message()
    {
        var ev = Yaml<Corev1Event>(Scheduled);
        ev.FirstTimestamp = Now.UtcDateTime.AddMinutes(-10);
        ev.LastTimestamp = Now.UtcDateTime.AddSeconds(-20);
        Assert.Equal(
            ["20s", "Normal", "Pulled", "pod/web-1", "spec.containers{web}", "kubelet, n1", "Successfully pulled image \"nginx\"", "10m", 3L, "web-1.181a"],
            _strategy.Cells(ev, Now));
    }

    [Fact]
    public void A_new_style_event_prints_its_eventTime_series_and_reporting_controller()
    {
        var ev = Yaml<Corev1Event>("""
            metadata: {name: e, namespace: default}
            involvedObject: {kind: Node, name: n1}
            reason: Starting
            type: Normal
            reportingComponent: nodeagent
            reportingInstance: n1
            """);
        ev.EventTime = Now.UtcDateTime.AddMinutes(-3);
        Assert.Equal(["3m", "Normal", "Starting", "node/n1", "", "nodeagent, n1", "", "3m", 1L, "e"], _strategy.Cells(ev, Now));

        ev.Series = new Corev1EventSeries { Count = 7, LastObservedTime = Now.UtcDateTime.AddSeconds(-5) };
        var cells = _strategy.Cells(ev, Now);
        Assert.Equal("5s", cells[0]);
        Assert.Equal(7L, cells[8]);
    }

    [Fact]
    public void Every_upstream_selectable_field_is_there()
    {
        var fields = ((IResourceStrategy)_strategy).SelectableFields(Yaml<Corev1Event>(Scheduled));
        Assert.Equal("Pod", fields["involvedObject.kind"]);
        Assert.Equal("default", fields["involvedObject.namespace"]);
        Assert.Equal("web-1", fields["involvedObject.name"]);
        Assert.Equal("u-1", fields["involvedObject.uid"]);
        Assert.Equal("v1", fields["involvedObject.apiVersion"]);
        Assert.Equal("42", fields["involvedObject.resourceVersion"]);
        Assert.Equal("spec.containers{web}", fields["involvedObject.fieldPath"]);
        Assert.Equal("Pulled", fields["reason"]);
        Assert.Equal("", fields["reportingComponent"]);
        Assert.Equal("kubelet", fields["source"]);
        Assert.Equal("Normal", fields["type"]);
        Assert.Equal("web-1.181a", fields["metadata.name"]);
    }

    public static TheoryData<string, string, string[]> Invalid => new()
    {
        { "a classic event", Scheduled, [] },
        { "no involvedObject", "metadata: {name: e, namespace: default}\nreason: X", ["involvedObject|FieldValueRequired|Required value"] },
        {
            "namespace mismatch", "metadata: {name: e, namespace: default}\ninvolvedObject: {kind: Pod, namespace: other, name: p}",
            ["involvedObject.namespace|FieldValueInvalid|Invalid value: \"other\": does not match event.namespace"]
        },
        { "cluster-scoped object in default", "metadata: {name: e, namespace: default}\ninvolvedObject: {kind: Node, name: n1}", [] },
        {
            "new style without reporting fields", "metadata: {name: e, namespace: default}\neventTime: 2026-01-01T00:00:00.000000Z\ninvolvedObject: {kind: Node, name: n1}",
            [
                "reportingComponent|FieldValueRequired|Required value",
                "reportingComponent|FieldValueInvalid|Invalid value: \"\": name part must be non-empty",
                "reportingComponent|FieldValueInvalid|Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                "reportingInstance|FieldValueRequired|Required value",
                "action|FieldValueRequired|Required value",
                "reason|FieldValueRequired|Required value",
            ]
        },
        {
            "new style, complete", "metadata: {name: e, namespace: default}\neventTime: 2026-01-01T00:00:00.000000Z\ninvolvedObject: {kind: Node, name: n1}\nreportingComponent: nodeagent.io/kubelet\nreportingInstance: n1\naction: Start\nreason: Starting",
            []
        },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validation_is_upstreams_legacy_event_validation(string why, string yaml, string[] expected)
    {
        var ev = Yaml<Corev1Event>(yaml);
        Assert.True(expected.SequenceEqual(Lines(Create(_strategy, ev))), $"{why}: {string.Join(" / ", Lines(_strategy.ValidateCreate(ev)))}");
    }
}
