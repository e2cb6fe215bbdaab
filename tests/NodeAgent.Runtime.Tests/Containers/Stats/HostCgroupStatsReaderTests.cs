using System.Text.Json.Nodes;
using NodeAgent.Runtime.Common.Processes;
using NodeAgent.Runtime.Containers.Stats;
using NodeAgent.Runtime.Oci;
using NodeAgent.Runtime.Tests.Oci;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Containerd;
using NodeAgent.Testing.Leaks;

namespace NodeAgent.Runtime.Tests.Containers.Stats;

/// <summary>The host's reader (v1 hierarchies on this machine) on the cgroup of a real runc container.</summary>
public sealed class HostCgroupStatsReaderTests : IAsyncLifetime
{
    private readonly string _prefix = TestIds.NewPrefix();
    private readonly TempDirectory _temp;
    private readonly RuncRuntime _runtime;

    public HostCgroupStatsReaderTests()
    {
        _temp = new TempDirectory(_prefix);
        _runtime = new RuncRuntime(
            new OciRuntimeOptions { StateRoot = _temp.Combine("runc"), ExitDirectory = _temp.Combine("exits"), AttachDirectory = _temp.Combine("attach") },
            ProcessRunner.Instance);
    }

    [Fact]
    public async Task Cpu_grows_for_a_busy_loop_and_memory_limit_and_pids_are_read()
    {
        using var deadline = TestDeadline.Seconds(60);
        var id = _prefix + "-busy";
        var cgroupsPath = $"/{_prefix}/busy";
        var bundle = await BusyboxBundle.CreateAsync(
            _temp.Combine(id),
            ["/bin/sh", "-c", "while :; do :; done"],
            deadline.Token,
            spec =>
            {
                var linux = spec["linux"]!.AsObject();
                linux["cgroupsPath"] = cgroupsPath;
                var resources = linux["resources"]!.AsObject();
                resources["memory"] = new JsonObject { ["limit"] = 64L * 1024 * 1024 };
                resources["pids"] = new JsonObject { ["limit"] = 16 };
            });
        var reader = CgroupStatsReaders.ForHost();

        await _runtime.RunDetachedAsync(id, bundle, deadline.Token);
        try
        {
            var first = reader.Read(cgroupsPath);
            Assert.NotNull(first);
            var later = await Eventually.UntilAsync(
                _ => Task.FromResult(reader.Read(cgroupsPath) is { } s && s.CpuUsageNanoseconds > first.CpuUsageNanoseconds + 50_000_000 ? s : null),
                "the busy loop to use 50 ms more CPU",
                deadline.Token);

            Assert.True(later.Memory!.UsageBytes > 0);
            Assert.InRange(later.Memory.WorkingSetBytes, 1UL, later.Memory.UsageBytes);
            Assert.Equal(64UL * 1024 * 1024, later.Memory.LimitBytes);
            Assert.True(later.Memory.AvailableBytes < later.Memory.LimitBytes);
            Assert.True(later.Memory.PageFaults > 0);
            Assert.Equal(1UL, later.ProcessCount);
            // The parent sees its child's usage (hierarchical counters): what a pod's stats rely on.
            Assert.True(reader.Read($"/{_prefix}")!.CpuUsageNanoseconds >= later.CpuUsageNanoseconds);
        }
        finally
        {
            await _runtime.KillAsync(id, ProcessSignals.SigKill, all: true, CancellationToken.None);
            await Eventually.UntilAsync(async ct => (await _runtime.StateAsync(id, ct))!.Status == "stopped", "the loop to stop", deadline.Token);
            await _runtime.DeleteAsync(id, CancellationToken.None);
        }

        Assert.Null(reader.Read(cgroupsPath)); // runc removed the container's cgroup
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _runtime.Dispose();
        HostCleanup.RemoveCgroups(_prefix);
        _temp.Dispose();
        using var cleanup = TestDeadline.Seconds(30);
        await LeakCheck.AssertCleanAsync(_prefix, cleanup.Token);
    }
}
