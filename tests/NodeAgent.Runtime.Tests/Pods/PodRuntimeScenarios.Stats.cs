using System.Net;
using NodeAgent.Cri.V1;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Leaks;

namespace NodeAgent.Runtime.Tests.Pods;

/// <summary>Container and pod stats (CPU, memory, writable layer, network, processes) and their filters.</summary>
public abstract partial class PodRuntimeScenarios
{
    [Fact]
    public async Task Container_stats_show_cpu_of_a_busy_loop_memory_and_the_writable_layer_and_lists_filter()
    {
        using var deadline = TestDeadline.Seconds(90);
        var sandbox = PodConfigs.Sandbox(target, Name("stats"));
        var sandboxId = await RunAsync(sandbox, deadline.Token);
        var other = PodConfigs.Sandbox(target, Name("stats2"));
        var otherId = await RunAsync(other, deadline.Token);
        try
        {
            var busy = await StartAsync(PodConfigs.Container(target, sandboxId, sandbox, "busy", "/bin/sh", "-c", "while :; do :; done"), deadline.Token);
            var idle = await StartAsync(PodConfigs.Container(target, sandboxId, sandbox, "idle", "/bin/sleep", "300"), deadline.Token);
            var elsewhere = await StartAsync(PodConfigs.Container(target, otherId, other, "elsewhere", "/bin/sleep", "300"), deadline.Token);

            // The rate needs two samples; a busy loop gets at least a fifth of a core even on a shared machine.
            var busyStats = await Eventually.UntilAsync(
                async ct => await ContainerStatsAsync(busy, ct) is { Cpu.UsageNanoCores.Value: > 200_000_000 } s ? s : null,
                "the busy loop's CPU rate to show",
                deadline.Token,
                TimeSpan.FromMilliseconds(500));
            Assert.True(busyStats.Cpu.UsageCoreNanoSeconds.Value > 0);
            Assert.Equal("busy", busyStats.Attributes.Metadata.Name);
            Assert.Equal("busy", busyStats.Attributes.Labels["container"]);

            var idleStats = await ContainerStatsAsync(idle, deadline.Token);
            Assert.True(idleStats.Memory.WorkingSetBytes.Value > 0, "an idle sleep still has a working set");
            Assert.True(idleStats.Memory.UsageBytes.Value >= idleStats.Memory.WorkingSetBytes.Value);
            Assert.True(idleStats.Cpu.UsageNanoCores.Value < busyStats.Cpu.UsageNanoCores.Value);

            await ExecAsync(idle, deadline.Token, "/bin/dd", "if=/dev/zero", "of=/tmp/blob", "bs=65536", "count=32");
            var layer = await Eventually.UntilAsync(
                async ct => await ContainerStatsAsync(idle, ct) is { WritableLayer.UsedBytes.Value: >= 2 * 1024 * 1024 } s ? s.WritableLayer : null,
                "the 2 MiB file to count in the writable layer",
                deadline.Token,
                TimeSpan.FromMilliseconds(500));
            Assert.True(layer.InodesUsed.Value >= 2);
            Assert.NotEmpty(layer.FsId.Mountpoint);

            Assert.Equal(
                new[] { busy, idle }.Order(),
                (await ListContainerStatsAsync(new ContainerStatsFilter { PodSandboxId = sandboxId }, deadline.Token)).Order());
            Assert.Equal([idle], await ListContainerStatsAsync(new ContainerStatsFilter { Id = idle }, deadline.Token));
            Assert.Equal([elsewhere], await ListContainerStatsAsync(new ContainerStatsFilter { LabelSelector = { ["container"] = "elsewhere" } }, deadline.Token));
            var all = await ListContainerStatsAsync(new ContainerStatsFilter(), deadline.Token);
            Assert.Superset(new HashSet<string> { busy, idle, elsewhere }, all.ToHashSet());
        }
        finally
        {
            await RemoveAsync(sandboxId);
            await RemoveAsync(otherId);
        }

        await LeakCheck.AssertCleanAsync(sandboxId, deadline.Token);
        await LeakCheck.AssertCleanAsync(otherId, deadline.Token);
    }

    [Fact]
    public async Task Pod_stats_show_network_traffic_processes_and_their_containers()
    {
        using var deadline = TestDeadline.Seconds(60);
        var sandbox = PodConfigs.Sandbox(target, Name("podstats"));
        var sandboxId = await RunAsync(sandbox, deadline.Token);
        try
        {
            var web = await StartAsync(
                PodConfigs.Container(target, sandboxId, sandbox, "web", "/bin/sh", "-c", "mkdir -p /tmp/www && echo counted > /tmp/www/index.html && exec /usr/sbin/httpd -f -p 8080 -h /tmp/www"),
                deadline.Token);
            var ip = IPAddress.Parse((await Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId }, cancellationToken: deadline.Token)).Status.Network.Ip);
            await Eventually.UntilAsync(async ct => (await HttpGetAsync(ip, 8080, ct)).Contains("counted", StringComparison.Ordinal), "httpd to answer", deadline.Token);

            var stats = (await Runtime.PodSandboxStatsAsync(new PodSandboxStatsRequest { PodSandboxId = sandboxId }, cancellationToken: deadline.Token)).Stats;

            Assert.Equal(sandboxId, stats.Attributes.Id);
            Assert.Equal(sandbox.Metadata.Name, stats.Attributes.Metadata.Name);
            var eth0 = stats.Linux.Network.DefaultInterface;
            Assert.Equal("eth0", eth0.Name);
            Assert.True(eth0.RxBytes.Value > 0 && eth0.TxBytes.Value > 0, $"rx {eth0.RxBytes.Value} tx {eth0.TxBytes.Value} after an HTTP exchange");
            Assert.True(stats.Linux.Cpu.UsageCoreNanoSeconds.Value > 0);
            Assert.True(stats.Linux.Memory.WorkingSetBytes.Value > 0);
            Assert.True(stats.Linux.Process.ProcessCount.Value >= 1, "httpd runs in the pod");
            Assert.Equal(web, Assert.Single(stats.Linux.Containers).Attributes.Id);

            var byId = await Runtime.ListPodSandboxStatsAsync(new ListPodSandboxStatsRequest { Filter = new PodSandboxStatsFilter { Id = sandboxId } }, cancellationToken: deadline.Token);
            Assert.Equal(sandboxId, Assert.Single(byId.Stats).Attributes.Id);
            var byLabel = await Runtime.ListPodSandboxStatsAsync(new ListPodSandboxStatsRequest { Filter = new PodSandboxStatsFilter { LabelSelector = { ["app"] = sandbox.Metadata.Name } } }, cancellationToken: deadline.Token);
            Assert.Equal(sandboxId, Assert.Single(byLabel.Stats).Attributes.Id);
        }
        finally
        {
            await RemoveAsync(sandboxId);
        }

        await LeakCheck.AssertCleanAsync(sandboxId, deadline.Token);
    }

    private async Task<ContainerStats> ContainerStatsAsync(string id, CancellationToken cancellationToken)
        => (await Runtime.ContainerStatsAsync(new ContainerStatsRequest { ContainerId = id }, cancellationToken: cancellationToken)).Stats;

    private async Task<List<string>> ListContainerStatsAsync(ContainerStatsFilter filter, CancellationToken cancellationToken)
        => (await Runtime.ListContainerStatsAsync(new ListContainerStatsRequest { Filter = filter }, cancellationToken: cancellationToken)).Stats.Select(s => s.Attributes.Id).ToList();
}
