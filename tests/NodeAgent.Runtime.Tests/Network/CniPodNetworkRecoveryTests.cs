using System.Diagnostics;
using System.Text.Json.Nodes;
using NodeAgent.Runtime.Network;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Leaks;
using Xunit.Abstractions;

namespace NodeAgent.Runtime.Tests.Network;

/// <summary>Crashes, cancellations and timings against the real plugins.</summary>
public sealed class CniPodNetworkRecoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_crash_after_add_but_before_the_state_was_completed_is_cleaned_by_the_next_agent()
    {
        using var cts = TestDeadline.Seconds(90);
        string prefix;
        await using (var net = TestPodNetwork.Create())
        {
            prefix = net.Prefix;
            var crashed = net.Request("crashed");
            var reused = net.Request("reused");
            await net.Network.SetUpAsync(crashed, cts.Token);
            await net.Network.SetUpAsync(reused, cts.Token);
            // What the disk holds when the agent dies between the last ADD and the final state write.
            RewindToSettingUp(net, crashed.SandboxId);
            RewindToSettingUp(net, reused.SandboxId);

            var restarted = net.NewInstance();
            Assert.Null(await restarted.GetAsync(crashed.SandboxId, cts.Token));
            await restarted.TearDownAsync(crashed.SandboxId, cts.Token);

            // A retried set-up over a half set-up sandbox replaces it rather than failing "exists".
            var pod = await restarted.SetUpAsync(reused, cts.Token);
            Assert.Single(net.IpamAllocations(reused.SandboxId));
            Assert.Single(net.BridgePorts());
            (await TestPodNetwork.InPodAsync(pod, cts.Token, "ping", "-c1", "-W2", net.Gateway.ToString())).EnsureSuccess();
            await restarted.TearDownAsync(reused.SandboxId, cts.Token);

            Assert.Empty(net.BridgePorts());
            Assert.Empty(net.IpamAllocations(crashed.SandboxId));
            Assert.Empty(net.IpamAllocations(reused.SandboxId));
            Assert.Empty(net.StateFiles());
            Assert.Empty(await net.PodIptablesEntriesAsync(cts.Token));
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    [Fact]
    public async Task A_set_up_cancelled_at_any_point_leaves_nothing_behind()
    {
        using var cts = TestDeadline.Seconds(120);
        string prefix;
        await using (var net = TestPodNetwork.Create())
        {
            prefix = net.Prefix;
            var completed = new List<string>();
            var cancelled = 0;
            for (var i = 0; i < 12; i++)
            {
                var request = net.Request($"c{i}", new PortMapping("tcp", 80, FreePort.Next(), null));
                using var caller = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
                // 0 to ~480 ms: from before the netns exists to after the last ADD on a loaded machine.
                caller.CancelAfter(TimeSpan.FromMilliseconds(4 * i * i));
                try
                {
                    await net.Network.SetUpAsync(request, caller.Token);
                    completed.Add(request.SandboxId);
                }
                catch (OperationCanceledException) when (!cts.IsCancellationRequested)
                {
                    cancelled++;
                    Assert.False(File.Exists($"/run/netns/{request.SandboxId}"), $"{request.SandboxId} kept its netns after cancellation");
                    Assert.Empty(net.IpamAllocations(request.SandboxId));
                    Assert.Empty(await IptablesProbe.FindAsync(request.SandboxId, cts.Token));
                }
            }

            Assert.True(cancelled > 0, "no set-up was cancelled: the test proved nothing");
            Assert.Equal(completed.Count, net.BridgePorts().Count);
            foreach (var id in completed)
            {
                await net.Network.TearDownAsync(id, cts.Token);
            }

            Assert.Empty(net.BridgePorts());
            Assert.Empty(net.StateFiles());
            Assert.Empty(await net.PodIptablesEntriesAsync(cts.Token));
            output.WriteLine($"{cancelled} cancelled, {completed.Count} completed");
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    [Fact]
    public async Task Set_up_and_tear_down_timings_over_twenty_sequential_pods_with_and_without_host_ports()
    {
        using var cts = TestDeadline.Seconds(240);
        string prefix;
        await using (var net = TestPodNetwork.Create())
        {
            prefix = net.Prefix;
            // Warm-up: the first ADD creates the bridge and the iptables base chains.
            var warm = net.Request("warm", new PortMapping("tcp", 80, FreePort.Next(), null));
            await net.Network.SetUpAsync(warm, cts.Token);
            await net.Network.TearDownAsync(warm.SandboxId, cts.Token);

            // Most pods have no hostPort; those that do pay for portmap's iptables work on both sides.
            foreach (var withHostPort in new[] { false, true })
            {
                var setUp = new List<double>();
                var tearDown = new List<double>();
                for (var i = 0; i < 20; i++)
                {
                    PortMapping[] ports = withHostPort ? [new PortMapping("tcp", 80, FreePort.Next(), null)] : [];
                    var request = net.Request($"t{(withHostPort ? "p" : "n")}{i}", ports);
                    var started = Stopwatch.GetTimestamp();
                    var pod = await net.Network.SetUpAsync(request, cts.Token);
                    setUp.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    Assert.Single(pod.Addresses);

                    started = Stopwatch.GetTimestamp();
                    await net.Network.TearDownAsync(request.SandboxId, cts.Token);
                    tearDown.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    Assert.Empty(net.BridgePorts());
                }

                var kind = withHostPort ? "with a hostPort" : "without hostPort";
                output.WriteLine($"SetUp    {kind} ms: median {Median(setUp):0.0}, min {setUp.Min():0.0}, max {setUp.Max():0.0}");
                output.WriteLine($"TearDown {kind} ms: median {Median(tearDown):0.0}, min {tearDown.Min():0.0}, max {tearDown.Max():0.0}");
                // Generous bound for a shared 2-core machine; a regression to seconds per pod must fail.
                Assert.True(Median(setUp) < 1500, $"median set-up {kind} {Median(setUp):0} ms");
                Assert.True(Median(tearDown) < 1500, $"median tear-down {kind} {Median(tearDown):0} ms");
            }
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static void RewindToSettingUp(TestPodNetwork net, string sandboxId)
    {
        var path = Path.Combine(net.Options.StateDirectory, "sandboxes", sandboxId + ".json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json["phase"] = "SettingUp";
        json.Remove("result");
        json["addresses"] = new JsonArray();
        File.WriteAllText(path, json.ToJsonString());
    }
}
