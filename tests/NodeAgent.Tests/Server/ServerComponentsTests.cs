using System.Collections;
using System.Net;
using NodeAgent.Cli;
using NodeAgent.Configuration;

namespace NodeAgent.Tests.Server;

public sealed class ServerComponentsTests
{
    [Theory]
    [InlineData("10.66.0.0/16", "10.66.0.0/24")]
    [InlineData("10.66.0.0/24", "10.66.0.0/24")]
    [InlineData("10.66.4.0/26", "10.66.4.0/26")]
    [InlineData("fd00:66::/48", "fd00:66::/64")]
    public void The_node_takes_the_first_slash_24_of_the_pod_cidr(string cluster, string node)
        => Assert.Equal(node, ServerComponents.NodePodCidr(IPNetwork.Parse(cluster)).ToString());

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("0.0.0.0", "127.0.0.1")]
    [InlineData("::", "127.0.0.1")]
    [InlineData("192.0.2.10", "192.0.2.10")]
    public void The_host_IP_is_the_API_address_unless_it_is_a_wildcard(string apiAddress, string hostIp)
        => Assert.Equal(hostIp, ServerComponents.HostIP(IPAddress.Parse(apiAddress)));

    [Fact]
    public void The_runtime_starts_first_and_the_scheduler_last()
    {
        var options = Options(containerRuntimeEndpoint: null);

        Assert.Equal(["serviceaccount controller", "root-ca-cert-publisher", "cri-runtime", "node", "scheduler"], ServerComponents.For(options).Select(c => c.Name));
        Assert.Equal("unix:///run/test/cri.sock", RuntimeComponent.Endpoint(options));
    }

    [Fact]
    public void An_external_runtime_endpoint_replaces_the_built_in_runtime()
        => Assert.Equal(["serviceaccount controller", "root-ca-cert-publisher", "node", "scheduler"], ServerComponents.For(Options("unix:///run/containerd/containerd.sock")).Select(c => c.Name));

    private static NodeAgentOptions Options(string? containerRuntimeEndpoint)
        => NodeAgentOptionsBuilder.Build(ConfigResolver.Resolve(ConfigKeys.Server, new Dictionary<string, IReadOnlyList<string>>(), new Hashtable())) with
        {
            RunDir = "/run/test",
            ContainerRuntimeEndpoint = containerRuntimeEndpoint,
        };
}
