using System.Net;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Api.Resources;
using NodeAgent.Api.Resources.Core;
using NodeAgent.Storage;
using NodeAgent.Testing.Common;
using static NodeAgent.Api.Tests.Resources.Core.StrategyKit;

namespace NodeAgent.Api.Tests.Resources.Core;

/// <summary>The clusterIP and nodePort allocators against a real SQLite store, through the strategy's admission.</summary>
public sealed class ServiceAllocationsTests : IDisposable
{
    private readonly TempDirectory _dir = new(TestIds.NewPrefix() + "-svcalloc");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Two_hundred_concurrent_services_get_two_hundred_distinct_IPs()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var store = await OpenAsync(deadline.Token);
        var strategy = new ServiceStrategy(new ResourceContext(store, ServiceCidr, TimeProvider.System));

        var services = Enumerable.Range(0, 200).Select(i => Service($"web{i}")).ToList();
        await Task.WhenAll(services.Select(s => strategy.AdmitCreateAsync(s, deadline.Token)));

        var ips = services.Select(s => s.Spec.ClusterIP).ToList();
        Assert.Equal(200, ips.Distinct(StringComparer.Ordinal).Count());
        Assert.All(services, s => Assert.Equal([s.Spec.ClusterIP], s.Spec.ClusterIPs));
        Assert.All(ips, ip => Assert.True(ServiceCidr.Contains(IPAddress.Parse(ip)), ip));

        // Dynamic allocation never hands out the network address or the kubernetes service's first address.
        Assert.DoesNotContain("10.43.0.0", ips);
        Assert.DoesNotContain("10.43.0.1", ips);
        var keys = await store.ListAsync(ServiceAllocations.ClusterIpPrefix, 0, null, 0, deadline.Token);
        Assert.Equal(200, keys.Items.Count);
    }

    [Fact]
    public async Task Concurrent_allocations_in_a_small_range_fill_it_without_duplicates_then_report_it_full()
    {
        using var deadline = TestDeadline.Seconds(60);
        await using var store = await OpenAsync(deadline.Token);
        var strategy = new ServiceStrategy(new ResourceContext(store, IPNetwork.Parse("10.96.0.0/28"), TimeProvider.System));

        // A /28 has 16 addresses: minus network, broadcast and the reserved first address, 13 are dynamic.
        var services = Enumerable.Range(0, 13).Select(i => Service($"s{i}")).ToList();
        await Task.WhenAll(services.Select(s => strategy.AdmitCreateAsync(s, deadline.Token)));
        Assert.Equal(13, services.Select(s => s.Spec.ClusterIP).Distinct(StringComparer.Ordinal).Count());

        var e = await Assert.ThrowsAsync<FieldErrorsException>(() => strategy.AdmitCreateAsync(Service("one-more"), deadline.Token));
        Assert.Equal(["spec.clusterIPs|FieldValueInvalid|Invalid value: []string{}: failed to allocate a serviceIP: range is full"], Lines(e.Errors));
    }

    [Fact]
    public async Task A_requested_IP_that_is_taken_is_refused_and_release_makes_it_reusable()
    {
        using var deadline = TestDeadline.Seconds(60);
        await using var store = await OpenAsync(deadline.Token);
        var strategy = new ServiceStrategy(new ResourceContext(store, ServiceCidr, TimeProvider.System));

        var dns = Service("kube-dns", clusterIp: "10.43.0.10");
        await strategy.AdmitCreateAsync(dns, deadline.Token);
        Assert.Equal("10.43.0.10", dns.Spec.ClusterIP);

        var thief = Service("other", clusterIp: "10.43.0.10");
        var e = await Assert.ThrowsAsync<FieldErrorsException>(() => strategy.AdmitCreateAsync(thief, deadline.Token));
        Assert.Equal(
            ["spec.clusterIPs|FieldValueInvalid|Invalid value: []string{\"10.43.0.10\"}: failed to allocate IP 10.43.0.10: provided IP is already allocated"],
            Lines(e.Errors));

        // Releasing someone else's service does not free the address.
        await strategy.ReleaseAsync(thief, deadline.Token);
        await Assert.ThrowsAsync<FieldErrorsException>(() => strategy.AdmitCreateAsync(Service("other", clusterIp: "10.43.0.10"), deadline.Token));

        await strategy.ReleaseAsync(dns, deadline.Token);
        var again = Service("other", clusterIp: "10.43.0.10");
        await strategy.AdmitCreateAsync(again, deadline.Token);
        Assert.Equal("10.43.0.10", again.Spec.ClusterIP);
    }

    [Fact]
    public async Task The_first_address_can_be_requested_and_addresses_outside_the_range_are_refused()
    {
        using var deadline = TestDeadline.Seconds(60);
        await using var store = await OpenAsync(deadline.Token);
        var strategy = new ServiceStrategy(new ResourceContext(store, ServiceCidr, TimeProvider.System));

        var kubernetes = Service("kubernetes", clusterIp: "10.43.0.1");
        await strategy.AdmitCreateAsync(kubernetes, deadline.Token);
        Assert.Equal("10.43.0.1", kubernetes.Spec.ClusterIP);

        foreach (var ip in new[] { "10.96.0.5", "10.43.0.0", "10.43.255.255" })
        {
            var e = await Assert.ThrowsAsync<FieldErrorsException>(() => strategy.AdmitCreateAsync(Service("out", clusterIp: ip), deadline.Token));
            Assert.Equal(
                [$"spec.clusterIPs|FieldValueInvalid|Invalid value: []string{{\"{ip}\"}}: failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. The range of valid IPs is 10.43.0.0/16"],
                Lines(e.Errors));
        }
    }

    [Fact]
    public async Task Allocations_survive_a_fresh_store_on_the_same_data_directory()
    {
        using var deadline = TestDeadline.Seconds(60);
        var first = Service("web", type: "NodePort");
        await using (var store = await OpenAsync(deadline.Token))
        {
            await new ServiceStrategy(new ResourceContext(store, ServiceCidr, TimeProvider.System)).AdmitCreateAsync(first, deadline.Token);
        }

        await using var reopened = await OpenAsync(deadline.Token);
        var strategy = new ServiceStrategy(new ResourceContext(reopened, ServiceCidr, TimeProvider.System));
        var ipThief = Service("thief", clusterIp: first.Spec.ClusterIP);
        var ipError = await Assert.ThrowsAsync<FieldErrorsException>(() => strategy.AdmitCreateAsync(ipThief, deadline.Token));
        Assert.EndsWith("provided IP is already allocated", ipError.Errors.Single().Message, StringComparison.Ordinal);

        var portThief = Service("thief2", type: "NodePort", nodePort: first.Spec.Ports[0].NodePort);
        var portError = await Assert.ThrowsAsync<FieldErrorsException>(() => strategy.AdmitCreateAsync(portThief, deadline.Token));
        Assert.Equal(
            [$"spec.ports[0].nodePort|FieldValueInvalid|Invalid value: {first.Spec.Ports[0].NodePort}: provided port is already allocated"],
            Lines(portError.Errors));

        // The failed create of portThief gave back the clusterIP it had taken before its nodePort failed.
        Assert.Null(await new ServiceAllocations(reopened, ServiceCidr).IpOwnerAsync(portThief.Spec.ClusterIP, deadline.Token));
    }

    [Fact]
    public async Task NodePorts_are_allocated_from_30000_to_32767_and_a_requested_one_is_checked()
    {
        using var deadline = TestDeadline.Seconds(60);
        await using var store = await OpenAsync(deadline.Token);
        var strategy = new ServiceStrategy(new ResourceContext(store, ServiceCidr, TimeProvider.System));

        var dynamic = Service("dyn", type: "NodePort");
        await strategy.AdmitCreateAsync(dynamic, deadline.Token);
        Assert.InRange(dynamic.Spec.Ports[0].NodePort ?? 0, 30000, 32767);

        var pinned = Service("pinned", type: "NodePort", nodePort: 30080);
        await strategy.AdmitCreateAsync(pinned, deadline.Token);
        Assert.Equal(30080, pinned.Spec.Ports[0].NodePort);

        var outside = Service("outside", type: "NodePort", nodePort: 8080);
        var e = await Assert.ThrowsAsync<FieldErrorsException>(() => strategy.AdmitCreateAsync(outside, deadline.Token));
        Assert.Equal(
            ["spec.ports[0].nodePort|FieldValueInvalid|Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767"],
            Lines(e.Errors));
    }

    [Fact]
    public async Task An_update_to_NodePort_allocates_and_back_to_ClusterIP_releases()
    {
        using var deadline = TestDeadline.Seconds(60);
        await using var store = await OpenAsync(deadline.Token);
        var strategy = new ServiceStrategy(new ResourceContext(store, ServiceCidr, TimeProvider.System));
        var clusterIp = Service("web");
        await strategy.AdmitCreateAsync(clusterIp, deadline.Token);

        var asNodePort = Service("web", type: "NodePort");
        await strategy.AdmitUpdateAsync(asNodePort, clusterIp, deadline.Token);
        Assert.Equal(clusterIp.Spec.ClusterIP, asNodePort.Spec.ClusterIP);
        var port = asNodePort.Spec.Ports[0].NodePort;
        Assert.NotNull(port);

        // As kubectl apply sends it: type changed, the server-set nodePort still merged in.
        var back = Service("web");
        back.Spec.Ports[0].NodePort = port;
        await strategy.AdmitUpdateAsync(back, asNodePort, deadline.Token);
        Assert.Null(back.Spec.Ports[0].NodePort);
        Assert.Equal(clusterIp.Spec.ClusterIP, back.Spec.ClusterIP);

        var reuse = Service("other", type: "NodePort", nodePort: port);
        await strategy.AdmitCreateAsync(reuse, deadline.Token);
        Assert.Equal(port, reuse.Spec.Ports[0].NodePort);
    }

    [Fact]
    public async Task Switching_to_ExternalName_gives_the_clusterIP_back()
    {
        using var deadline = TestDeadline.Seconds(60);
        await using var store = await OpenAsync(deadline.Token);
        var strategy = new ServiceStrategy(new ResourceContext(store, ServiceCidr, TimeProvider.System));
        var svc = Service("web", clusterIp: "10.43.0.50");
        await strategy.AdmitCreateAsync(svc, deadline.Token);

        var external = Service("web", clusterIp: "10.43.0.50");
        external.Spec.Type = "ExternalName";
        external.Spec.ExternalName = "db.example.com";
        await strategy.AdmitUpdateAsync(external, svc, deadline.Token);
        Assert.Null(external.Spec.ClusterIP);

        var reuse = Service("other", clusterIp: "10.43.0.50");
        await strategy.AdmitCreateAsync(reuse, deadline.Token);
        Assert.Equal("10.43.0.50", reuse.Spec.ClusterIP);
    }

    private Task<IRevisionedStore> OpenAsync(CancellationToken ct) =>
        StorageFactory.OpenAsync("sqlite", _dir.Combine("data"), NullLoggerFactory.Instance, ct);

    /// <summary>A service as the handlers pass it to admission: defaulted and validated.</summary>
    private static V1Service Service(string name, string? clusterIp = null, string type = "ClusterIP", int? nodePort = null)
    {
        var svc = new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
            Spec = new V1ServiceSpec
            {
                Type = type,
                ClusterIP = clusterIp,
                Selector = new Dictionary<string, string> { ["app"] = name },
                Ports = [new V1ServicePort { Port = 80, NodePort = nodePort }],
            },
        };
        var strategy = new ServiceStrategy(UnitContext());
        Assert.Empty(Create(strategy, svc));
        return svc;
    }
}
