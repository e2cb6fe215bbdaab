using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Network;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Leaks;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Runtime.Tests.Network;

/// <summary>Pod networking against the real Debian CNI plugins, ip and iptables (root, as in CI).</summary>
public sealed class CniPodNetworkTests
{
    [Fact]
    public async Task Two_pods_on_one_bridge_get_distinct_addresses_reach_each_other_and_the_host_reaches_them()
    {
        using var cts = TestDeadline.Seconds(90);
        string prefix;
        await using (var net = TestPodNetwork.Create())
        {
            prefix = net.Prefix;
            var a = net.Request("a");
            var b = net.Request("b");
            var podA = await net.Network.SetUpAsync(a, cts.Token);
            var podB = await net.Network.SetUpAsync(b, cts.Token);

            Assert.Equal($"/run/netns/{a.SandboxId}", podA.NetnsPath);
            Assert.Equal("eth0", podA.InterfaceName);
            var ipA = Assert.Single(podA.Addresses);
            var ipB = Assert.Single(podB.Addresses);
            Assert.NotEqual(ipA, ipB);
            Assert.True(net.Cidr.Contains(ipA) && net.Cidr.Contains(ipB), $"{ipA} and {ipB} must be inside {net.Cidr}");
            Assert.NotEqual(net.Gateway, ipA);
            Assert.Contains(a.SandboxId, (await TestProcess.RunAsync("ip", ["netns", "list"], cts.Token)).StandardOutput, StringComparison.Ordinal);
            Assert.Equal(2, net.BridgePorts().Count);

            // lo is up inside the pod (the loopback network), and the pod address sits on eth0.
            Assert.Contains("UP", (await TestPodNetwork.InPodAsync(podA, cts.Token, "ip", "link", "show", "lo")).StandardOutput, StringComparison.Ordinal);
            Assert.Contains(ipA.ToString(), (await TestPodNetwork.InPodAsync(podA, cts.Token, "ip", "-4", "addr", "show", "eth0")).StandardOutput, StringComparison.Ordinal);

            // Pod to pod over the bridge, both ways.
            (await TestPodNetwork.InPodAsync(podA, cts.Token, "ping", "-c1", "-W2", ipB.ToString())).EnsureSuccess();
            (await TestPodNetwork.InPodAsync(podB, cts.Token, "ping", "-c1", "-W2", ipA.ToString())).EnsureSuccess();

            // The host reaches a pod's server at the pod IP, and the other pod reaches it too.
            net.StartHttpd(podA, 80, "hello from a\n");
            using var http = TestPodNetwork.NewHttpClient();
            var page = await Eventually.UntilAsync(
                async ct => await http.GetStringAsync(new Uri($"http://{ipA}/"), ct),
                $"httpd in pod a at {ipA}",
                cts.Token);
            Assert.Equal("hello from a\n", page);
            Assert.EndsWith("\r\n\r\nhello from a\n", await TestPodNetwork.HttpGetFromPodAsync(podB, ipA, 80, cts.Token), StringComparison.Ordinal);

            Assert.Equal(podA, await net.Network.GetAsync(a.SandboxId, cts.Token), PodResultComparer.Instance);

            await net.Network.TearDownAsync(a.SandboxId, cts.Token);
            await net.Network.TearDownAsync(b.SandboxId, cts.Token);

            Assert.Empty(net.BridgePorts());
            Assert.Empty(net.IpamAllocations(a.SandboxId));
            Assert.Empty(net.IpamAllocations(b.SandboxId));
            Assert.Empty(net.StateFiles());
            Assert.Empty(await IptablesProbe.FindAsync(a.SandboxId, cts.Token));
            Assert.Empty(await IptablesProbe.FindAsync(b.SandboxId, cts.Token));
            Assert.False(File.Exists(podA.NetnsPath));
            Assert.Null(await net.Network.GetAsync(a.SandboxId, cts.Token));
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    [Fact]
    public async Task Host_port_mapping_forwards_loopback_and_gateway_connections_to_the_pod()
    {
        using var cts = TestDeadline.Seconds(90);
        string prefix;
        await using (var net = TestPodNetwork.Create())
        {
            prefix = net.Prefix;
            var hostPort = FreePort.Next();
            var request = net.Request("web", new PortMapping("tcp", 8080, hostPort, null));
            var pod = await net.Network.SetUpAsync(request, cts.Token);
            net.StartHttpd(pod, 8080, "via host port\n");
            using var http = TestPodNetwork.NewHttpClient();
            await Eventually.UntilAsync(
                async ct => await http.GetStringAsync(new Uri($"http://{pod.Addresses[0]}:8080/"), ct),
                "httpd in the pod",
                cts.Token);

            Assert.Equal("via host port\n", await http.GetStringAsync(new Uri($"http://127.0.0.1:{hostPort}/"), cts.Token));
            Assert.Equal("via host port\n", await http.GetStringAsync(new Uri($"http://{net.Gateway}:{hostPort}/"), cts.Token));
            Assert.NotEmpty(await IptablesProbe.FindAsync(request.SandboxId, cts.Token));

            await net.Network.TearDownAsync(request.SandboxId, cts.Token);

            Assert.Empty(await IptablesProbe.FindAsync(request.SandboxId, cts.Token));
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetStringAsync(new Uri($"http://127.0.0.1:{hostPort}/"), cts.Token));
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    [Fact]
    public async Task Tear_down_is_idempotent_and_works_from_a_fresh_instance_after_a_restart()
    {
        using var cts = TestDeadline.Seconds(90);
        string prefix;
        await using (var net = TestPodNetwork.Create())
        {
            prefix = net.Prefix;
            var request = net.Request("r", new PortMapping("udp", 53, FreePort.Next(), "127.0.0.1"));
            var pod = await net.Network.SetUpAsync(request, cts.Token);

            // Set-up of a sandbox that is already set up returns what it has (a retried RunPodSandbox).
            Assert.Equal(pod, await net.Network.SetUpAsync(request, cts.Token), PodResultComparer.Instance);

            // A new agent with different flags reads the state and tears down with the ADD's config.
            var restarted = net.NewInstance(net.Options with { PodCidr = TestIds.NewSubnet24() });
            Assert.Equal(pod, await restarted.GetAsync(request.SandboxId, cts.Token), PodResultComparer.Instance);
            await restarted.TearDownAsync(request.SandboxId, cts.Token);
            await restarted.TearDownAsync(request.SandboxId, cts.Token);
            await net.Network.TearDownAsync(request.SandboxId, cts.Token);
            await net.Network.TearDownAsync(net.Prefix + "-never-set-up", cts.Token);

            Assert.Null(await restarted.GetAsync(request.SandboxId, cts.Token));
            Assert.Empty(net.BridgePorts());
            Assert.Empty(net.IpamAllocations(request.SandboxId));
            Assert.Empty(net.StateFiles());
            Assert.Empty(await IptablesProbe.FindAsync(request.SandboxId, cts.Token));
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    [Fact]
    public async Task Tear_down_tolerates_a_netns_removed_behind_its_back()
    {
        using var cts = TestDeadline.Seconds(90);
        string prefix;
        await using (var net = TestPodNetwork.Create())
        {
            prefix = net.Prefix;
            var request = net.Request("gone");
            await net.Network.SetUpAsync(request, cts.Token);
            (await TestProcess.RunAsync("ip", ["netns", "delete", request.SandboxId], cts.Token)).EnsureSuccess();

            await net.Network.TearDownAsync(request.SandboxId, cts.Token);

            Assert.Empty(net.IpamAllocations(request.SandboxId));
            Assert.Empty(net.StateFiles());
            Assert.Empty(await IptablesProbe.FindAsync(request.SandboxId, cts.Token));

            // Without the netns DEL cannot reach the pod's veth; it goes when the kernel destroys the
            // namespace, which happens asynchronously after its last reference (the pin) is gone.
            await Eventually.UntilAsync(
                _ => Task.FromResult(net.BridgePorts().Count == 0 ? "gone" : null), "the veth of the deleted netns to go", cts.Token);
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    [Fact]
    public async Task An_exhausted_cidr_fails_the_set_up_and_rolls_back_cleanly()
    {
        using var cts = TestDeadline.Seconds(90);
        string prefix;
        // A /30 has one usable pod address besides the gateway.
        var subnet = TestIds.NewSubnet24().Replace(".0/24", ".4/30", StringComparison.Ordinal);
        await using (var net = TestPodNetwork.Create(subnet))
        {
            prefix = net.Prefix;
            var first = net.Request("first");
            var second = net.Request("second");
            var pod = await net.Network.SetUpAsync(first, cts.Token);

            var error = await Assert.ThrowsAnyAsync<RuntimeException>(() => net.Network.SetUpAsync(second, cts.Token));

            Assert.Contains(second.SandboxId, error.Message, StringComparison.Ordinal);
            Assert.Contains("no IP addresses available", error.Message, StringComparison.Ordinal);
            Assert.False(File.Exists($"/run/netns/{second.SandboxId}"));
            Assert.Null(await net.Network.GetAsync(second.SandboxId, cts.Token));
            Assert.Empty(net.IpamAllocations(second.SandboxId));
            Assert.Empty(await IptablesProbe.FindAsync(second.SandboxId, cts.Token));
            Assert.Single(net.BridgePorts());
            Assert.Single(net.StateFiles());

            // The first pod is untouched and its address is freed for the next pod after tear-down.
            Assert.Equal(pod, await net.Network.GetAsync(first.SandboxId, cts.Token), PodResultComparer.Instance);
            await net.Network.TearDownAsync(first.SandboxId, cts.Token);
            var again = await net.Network.SetUpAsync(second, cts.Token);
            Assert.Equal(pod.Addresses, again.Addresses);
            await net.Network.TearDownAsync(second.SandboxId, cts.Token);
            Assert.Empty(net.BridgePorts());
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    [Fact]
    public async Task A_plugin_failing_after_the_bridge_was_added_rolls_the_bridge_back()
    {
        using var cts = TestDeadline.Seconds(90);
        string prefix;
        await using (var net = TestPodNetwork.Create(cniBinDirectory: "/usr/lib/cni"))
        {
            prefix = net.Prefix;
            // The real plugins, except portmap: ADD fails at the second plugin of the list.
            var bin = Directory.CreateDirectory(Path.Combine(net.TempPath, "cni-bin")).FullName;
            foreach (var plugin in new[] { "bridge", "host-local", "loopback" })
            {
                File.CreateSymbolicLink(Path.Combine(bin, plugin), Path.Combine("/usr/lib/cni", plugin));
            }

            var network = net.NewInstance(net.Options with { CniBinDirectory = bin });
            var request = net.Request("half", new PortMapping("tcp", 80, FreePort.Next(), null));

            var error = await Assert.ThrowsAnyAsync<RuntimeException>(() => network.SetUpAsync(request, cts.Token));

            Assert.Contains("portmap", error.Message, StringComparison.Ordinal);
            Assert.Contains(request.SandboxId, error.Message, StringComparison.Ordinal);
            Assert.Empty(net.BridgePorts());
            Assert.Empty(net.IpamAllocations(request.SandboxId));
            Assert.Empty(net.StateFiles());
            Assert.False(File.Exists($"/run/netns/{request.SandboxId}"));
            Assert.Empty(await IptablesProbe.FindAsync(request.SandboxId, cts.Token));

            var status = await network.StatusAsync(cts.Token);
            Assert.False(status.Ready);
            Assert.Equal("NetworkPluginNotReady", status.Reason);
            Assert.Contains("portmap", status.Message, StringComparison.Ordinal);
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    [Fact]
    public async Task Pods_are_masqueraded_by_one_node_level_rule_set_that_outlives_them_and_is_not_duplicated()
    {
        using var cts = TestDeadline.Seconds(90);
        string prefix;
        await using (var net = TestPodNetwork.Create())
        {
            prefix = net.Prefix;
            var chain = "NA-MASQ-" + net.Options.BridgeName;
            var first = net.Request("first");
            await net.Network.SetUpAsync(first, cts.Token);

            var installed = await net.NodeMasqueradeEntriesAsync(cts.Token);
            Assert.Contains($"nat: chain {chain}", installed);
            Assert.Single(installed, e => e.StartsWith("nat: -A POSTROUTING", StringComparison.Ordinal) && e.Contains($"-s {net.Cidr}", StringComparison.Ordinal) && e.EndsWith($"-j {chain}", StringComparison.Ordinal));
            Assert.Contains($"nat: -A {chain} -d {net.Cidr} -j RETURN", installed);
            Assert.Contains($"nat: -A {chain} -j MASQUERADE", installed);

            // A second pod, and a restarted runtime's first pod, find the rules in place.
            var second = net.Request("second");
            await net.Network.SetUpAsync(second, cts.Token);
            var third = net.Request("third");
            var restarted = net.NewInstance();
            await restarted.SetUpAsync(third, cts.Token);
            Assert.Equal(installed.Order(), (await net.NodeMasqueradeEntriesAsync(cts.Token)).Order());

            foreach (var request in new[] { first, second, third })
            {
                await restarted.TearDownAsync(request.SandboxId, cts.Token);
            }

            Assert.Empty(await net.PodIptablesEntriesAsync(cts.Token));
            Assert.Equal(installed.Order(), (await net.NodeMasqueradeEntriesAsync(cts.Token)).Order());
        }

        // Removed with the bridge.
        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    [Fact]
    public async Task Concurrent_calls_for_one_sandbox_serialise()
    {
        using var cts = TestDeadline.Seconds(90);
        string prefix;
        await using (var net = TestPodNetwork.Create())
        {
            prefix = net.Prefix;
            var request = net.Request("same");

            var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => net.Network.SetUpAsync(request, cts.Token)));

            Assert.All(results, r => Assert.Equal(results[0], r, PodResultComparer.Instance));
            Assert.Single(net.BridgePorts());
            Assert.Single(net.IpamAllocations(request.SandboxId));

            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => net.Network.TearDownAsync(request.SandboxId, cts.Token)));

            Assert.Empty(net.BridgePorts());
            Assert.Empty(net.IpamAllocations(request.SandboxId));
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    [Fact]
    public async Task Thirty_sandboxes_set_up_and_torn_down_concurrently_leave_nothing()
    {
        using var cts = TestDeadline.Seconds(240);
        string prefix;
        await using (var net = TestPodNetwork.Create())
        {
            prefix = net.Prefix;
            var requests = Enumerable.Range(0, 30).Select(i => net.Request($"p{i}", new PortMapping("tcp", 80, FreePort.Next(), null))).ToList();

            var pods = await Task.WhenAll(requests.Select(r => net.Network.SetUpAsync(r, cts.Token)));

            var addresses = pods.Select(p => Assert.Single(p.Addresses)).ToList();
            Assert.Equal(30, addresses.Distinct().Count());
            Assert.All(addresses, a => Assert.True(net.Cidr.Contains(a)));
            Assert.Equal(30, net.BridgePorts().Count);
            (await TestPodNetwork.InPodAsync(pods[0], cts.Token, "ping", "-c1", "-W2", addresses[29].ToString())).EnsureSuccess();

            await Task.WhenAll(requests.Select(r => net.Network.TearDownAsync(r.SandboxId, cts.Token)));

            Assert.Empty(net.BridgePorts());
            Assert.Empty(net.StateFiles());
            Assert.All(requests, r => Assert.Empty(net.IpamAllocations(r.SandboxId)));
            Assert.Empty(await net.PodIptablesEntriesAsync(cts.Token));
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    [Fact]
    public async Task Status_is_ready_with_the_debian_plugins_and_explains_what_is_wrong_otherwise()
    {
        using var cts = TestDeadline.Seconds(30);
        var prefix = TestIds.NewPrefix();
        using (var empty = new TempDirectory(prefix))
        {
            var options = new PodNetworkOptions { BridgeName = prefix + "b", PodCidr = "10.66.0.0/24", StateDirectory = empty.Combine("network") };

            Assert.Equal(NetworkStatus.ReadyStatus, await new CniPodNetwork(options, Runtime.Common.Processes.ProcessRunner.Instance).StatusAsync(cts.Token));

            var noPlugins = await new CniPodNetwork(options with { CniBinDirectory = empty.Path }, Runtime.Common.Processes.ProcessRunner.Instance).StatusAsync(cts.Token);
            Assert.False(noPlugins.Ready);
            Assert.Contains("bridge, host-local, portmap, loopback", noPlugins.Message, StringComparison.Ordinal);

            var badCidr = await new CniPodNetwork(options with { PodCidr = "10.66.0.1/24" }, Runtime.Common.Processes.ProcessRunner.Instance).StatusAsync(cts.Token);
            Assert.False(badCidr.Ready);
            Assert.Contains("10.66.0.1/24", badCidr.Message, StringComparison.Ordinal);
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    [Fact]
    public async Task Invalid_requests_are_refused_before_anything_is_created()
    {
        using var cts = TestDeadline.Seconds(30);
        string prefix;
        await using (var net = TestPodNetwork.Create())
        {
            prefix = net.Prefix;
            var good = net.Request("ok");
            var cases = new[]
            {
                good with { SandboxId = "../etc" },
                good with { PodName = "a;b" },
                good with { PortMappings = [new PortMapping("icmp", 80, 8080, null)] },
                good with { PortMappings = [new PortMapping("tcp", 80, 70000, null)] },
            };
            foreach (var request in cases)
            {
                var error = await Assert.ThrowsAsync<RuntimeException>(() => net.Network.SetUpAsync(request, cts.Token));
                Assert.Equal(RuntimeErrorKind.Invalid, error.Kind);
            }

            Assert.Empty(net.StateFiles());
            Assert.False(Directory.Exists(Path.Combine("/sys/class/net", net.Options.BridgeName)));
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    private sealed class PodResultComparer : IEqualityComparer<PodNetworkResult?>
    {
        public static PodResultComparer Instance { get; } = new();

        public bool Equals(PodNetworkResult? x, PodNetworkResult? y)
            => x is not null && y is not null && x.NetnsPath == y.NetnsPath && x.InterfaceName == y.InterfaceName && x.Addresses.SequenceEqual(y.Addresses);

        public int GetHashCode(PodNetworkResult? obj) => obj?.NetnsPath.GetHashCode(StringComparison.Ordinal) ?? 0;
    }
}
