using k8s;
using System.Threading.Channels;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Controllers.Machinery;
using NodeAgent.Testing.Common;

namespace NodeAgent.Controllers.Tests.Integration;

/// <summary>The informer and event recorder against a real <c>nodeagent server</c>.</summary>
[Trait("Needs", "ApiServer")]
public sealed class MachineryIntegrationTests
{
    [Fact]
    public async Task The_informer_lists_then_sees_adds_updates_and_deletes_through_the_watch()
    {
        using var deadline = TestDeadline.Seconds(90);
        await using var server = await NodeAgentServer.StartAsync(deadline.Token);
        var client = server.CreateClient();
        var prefix = TestIds.NewPrefix();
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = prefix + "-before" }, Data = new Dictionary<string, string> { ["k"] = "1" } }, "default", cancellationToken: deadline.Token);
        var events = Channel.CreateUnbounded<string>();
        await using var informer = new SharedInformer<V1ConfigMap>(ListWatches.ConfigMaps(client), "configmaps", TimeProvider.System, NullLogger.Instance);
        informer.AddHandler(new InformerHandler<V1ConfigMap>
        {
            OnAdd = c => events.Writer.TryWrite("add " + c.Metadata.Name),
            OnUpdate = (_, c) => events.Writer.TryWrite("update " + c.Metadata.Name + " " + c.Data["k"]),
            OnDelete = c => events.Writer.TryWrite("delete " + c.Metadata.Name),
        });
        informer.Start();
        await informer.WaitForSyncAsync(deadline.Token);
        Assert.NotNull(informer.Cache.Get(new ObjectKey("default", prefix + "-before")));

        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = prefix + "-after" }, Data = new Dictionary<string, string> { ["k"] = "1" } }, "default", cancellationToken: deadline.Token);
        created.Data["k"] = "2";
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(created, created.Metadata.Name, "default", cancellationToken: deadline.Token);
        await client.CoreV1.DeleteNamespacedConfigMapAsync(prefix + "-before", "default", cancellationToken: deadline.Token);

        var seen = new List<string>();
        while (seen.Count < 4)
        {
            var e = await events.Reader.ReadAsync(deadline.Token);
            if (e.Contains(prefix, StringComparison.Ordinal))
            {
                seen.Add(e);
            }
        }

        Assert.Equal([$"add {prefix}-before", $"add {prefix}-after", $"update {prefix}-after 2", $"delete {prefix}-before"], seen);
        Assert.Equal(1, informer.ListCount);
    }

    [Fact]
    public async Task Repeated_events_are_aggregated_into_one_Event_with_a_count()
    {
        using var deadline = TestDeadline.Seconds(90);
        await using var server = await NodeAgentServer.StartAsync(deadline.Token);
        var client = server.CreateClient();
        var name = TestIds.NewPrefix();
        var pod = await client.CoreV1.CreateNamespacedPodAsync(new V1Pod { Metadata = new V1ObjectMeta { Name = name }, Spec = new V1PodSpec { SchedulerName = name, Containers = [new V1Container { Name = "c", Image = "busybox" }] } }, "default", cancellationToken: deadline.Token);
        await using (var recorder = new EventRecorder(client, new EventSource("kubelet", "node-x"), TimeProvider.System, NullLogger.Instance))
        {
            for (var i = 0; i < 3; i++)
            {
                recorder.Record(EventRecorder.Reference(pod, "spec.containers{c}"), "Warning", "BackOff", "Back-off restarting failed container c in pod " + name);
            }
        }

        var events = (await client.CoreV1.ListNamespacedEventAsync("default", cancellationToken: deadline.Token)).Items.Where(e => e.InvolvedObject.Name == name).ToList();
        var aggregated = Assert.Single(events);
        Assert.Equal(3, aggregated.Count);
        Assert.Equal(("kubelet", "node-x", "spec.containers{c}"), (aggregated.Source.Component, aggregated.Source.Host, aggregated.InvolvedObject.FieldPath));
        Assert.True(aggregated.LastTimestamp >= aggregated.FirstTimestamp);
    }
}
