using System.Text.Json.Nodes;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Network;
using NodeAgent.Runtime.Network.Cni;
using Snapshooter.Xunit;

namespace NodeAgent.Runtime.Tests.Network;

public sealed class CniConfigGeneratorTests
{
    private static readonly PodNetworkOptions Options = new()
    {
        BridgeName = "na0",
        PodCidr = "10.66.0.0/24",
        StateDirectory = "/var/lib/nodeagent/network",
    };

    [Fact]
    public void Pod_network_is_bridge_with_host_local_ipam_then_portmap()
        => Snapshot.Match(CniConfigGenerator.PodNetwork(Options).ToJsonString());

    [Fact]
    public void Mtu_and_ipv6_cidr_reach_the_bridge_and_the_default_route()
        => Snapshot.Match(CniConfigGenerator.PodNetwork(Options with { Mtu = 1450, PodCidr = "fd66::/64", BridgeName = "na1" }).ToJsonString());

    [Fact]
    public void Loopback_is_its_own_single_plugin_network()
        => Snapshot.Match(CniConfigGenerator.Loopback(Options).ToJsonString());

    [Fact]
    public void Portmap_gets_name_version_runtime_config_and_prev_result_on_stdin()
    {
        var list = CniConfigGenerator.PodNetwork(Options);
        var runtimeConfig = CniConfigGenerator.RuntimeConfig(
        [
            new PortMapping("TCP", 80, 8080, null),
            new PortMapping("udp", 53, 5353, "127.0.0.1"),
        ]);
        var prevResult = JsonNode.Parse("""{"cniVersion":"1.0.0","ips":[{"address":"10.66.0.2/24","gateway":"10.66.0.1","interface":2}]}""")!.AsObject();

        var stdin = CniPluginInvoker.PluginConfig(list, list.Plugins[1], runtimeConfig, prevResult);

        Snapshot.Match(stdin.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    [Fact]
    public void A_plugin_without_the_capability_gets_no_runtime_config_and_the_first_no_prev_result()
    {
        var list = CniConfigGenerator.PodNetwork(Options);
        var runtimeConfig = CniConfigGenerator.RuntimeConfig([new PortMapping("tcp", 80, 8080, null)]);

        var stdin = CniPluginInvoker.PluginConfig(list, list.Plugins[0], runtimeConfig, prevResult: null);

        Assert.Equal("bridge", stdin["type"]!.GetValue<string>());
        Assert.Equal("nodeagent", stdin["name"]!.GetValue<string>());
        Assert.Equal("1.0.0", stdin["cniVersion"]!.GetValue<string>());
        Assert.False(stdin.ContainsKey("runtimeConfig"));
        Assert.False(stdin.ContainsKey("prevResult"));
    }

    [Fact]
    public void Container_ports_without_a_host_port_map_nothing_and_an_unspecified_host_ip_means_all()
    {
        var runtimeConfig = CniConfigGenerator.RuntimeConfig(
        [
            new PortMapping("TCP", 80, 0, null),
            new PortMapping("tcp", 443, 8443, "0.0.0.0"),
            new PortMapping("tcp", 443, 8443, "::"),
            new PortMapping("sctp", 9, 9999, "127.0.0.1"),
        ]);

        Assert.Equal(
            """{"portMappings":[{"hostPort":8443,"containerPort":443,"protocol":"tcp"},{"hostPort":8443,"containerPort":443,"protocol":"tcp"},{"hostPort":9999,"containerPort":9,"protocol":"sctp","hostIP":"127.0.0.1"}]}""",
            runtimeConfig.ToJsonString());
    }

    [Fact]
    public void Conflist_survives_a_round_trip_through_its_json()
    {
        var list = CniConfigGenerator.PodNetwork(Options);

        var parsed = CniNetworkConfigList.Parse(list.ToJsonString());

        Assert.Equal(list.ToJsonString(), parsed.ToJsonString());
        Assert.Equal(["bridge", "portmap"], parsed.Plugins.Select(p => p["type"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("na0-this-is-too-long", "10.66.0.0/24", "bridge name")]
    [InlineData("na 0", "10.66.0.0/24", "bridge name")]
    [InlineData("na0", "10.66.0.5/24", "pod CIDR")]
    [InlineData("na0", "10.66.0.0/31", "no room")]
    [InlineData("na0", "banana", "pod CIDR")]
    public void Invalid_options_are_refused_naming_the_setting(string bridge, string cidr, string expected)
    {
        var error = Assert.Throws<RuntimeException>(() => CniConfigGenerator.PodNetwork(Options with { BridgeName = bridge, PodCidr = cidr }));

        Assert.Equal(RuntimeErrorKind.Invalid, error.Kind);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":"x","plugins":[{"type":"bridge"}]}""", "cniVersion")]
    [InlineData("""{"cniVersion":"1.0.0","name":"x","plugins":[]}""", "no plugins")]
    [InlineData("""{"cniVersion":"1.0.0","name":"x","plugins":[{"bridge":"b"}]}""", "type")]
    [InlineData("""[1]""", "not a JSON object")]
    [InlineData("""{""", "invalid JSON")]
    public void Malformed_conflists_are_invalid(string json, string expected)
    {
        var error = Assert.Throws<RuntimeException>(() => CniNetworkConfigList.Parse(json));

        Assert.Equal(RuntimeErrorKind.Invalid, error.Kind);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
