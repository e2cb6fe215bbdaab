using System.Net;
using NodeAgent.Runtime.Common.Processes;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Network.Cni;

namespace NodeAgent.Runtime.Tests.Network;

public sealed class CniOutputParsingTests
{
    // The shape the Debian bridge plugin (1.1.1) prints for an ADD with cniVersion 1.0.0.
    private const string BridgeResult = """
        {
          "cniVersion": "1.0.0",
          "interfaces": [
            {"name": "na0", "mac": "2a:8e:1c:6b:7e:11"},
            {"name": "veth1a2b3c4d", "mac": "5e:9a:aa:01:02:03"},
            {"name": "eth0", "mac": "0a:58:0a:42:00:05", "sandbox": "/run/netns/sb1"}
          ],
          "ips": [
            {"interface": 2, "address": "10.66.0.5/24", "gateway": "10.66.0.1"},
            {"interface": 2, "address": "fd66::5/64", "gateway": "fd66::1"}
          ],
          "routes": [{"dst": "0.0.0.0/0"}],
          "dns": {}
        }
        """;

    [Fact]
    public void Result_gives_the_sandbox_interface_addresses_and_keeps_the_whole_document()
    {
        var result = CniResult.Parse(BridgeResult, "test");

        Assert.Equal("1.0.0", result.CniVersion);
        Assert.Equal(["na0", "veth1a2b3c4d", "eth0"], result.Interfaces.Select(i => i.Name));
        Assert.Equal("/run/netns/sb1", result.Interfaces[2].Sandbox);
        Assert.Null(result.Interfaces[0].Sandbox);
        Assert.Equal([IPAddress.Parse("10.66.0.5"), IPAddress.Parse("fd66::5")], result.SandboxAddresses());
        Assert.Equal(24, result.Ips[0].PrefixLength);
        Assert.Equal(IPAddress.Parse("10.66.0.1"), result.Ips[0].Gateway);
        Assert.NotNull(result.Json["routes"]);
    }

    [Fact]
    public void Addresses_on_host_interfaces_are_not_pod_addresses()
    {
        var result = CniResult.Parse("""
            {"cniVersion":"1.0.0","interfaces":[{"name":"na0"},{"name":"eth0","sandbox":"/run/netns/x"}],
             "ips":[{"interface":0,"address":"10.66.0.1/24"},{"interface":1,"address":"10.66.0.7/24"}]}
            """, "test");

        Assert.Equal([IPAddress.Parse("10.66.0.7")], result.SandboxAddresses());
    }

    [Fact]
    public void An_ipam_style_result_without_interfaces_counts_every_address()
    {
        var result = CniResult.Parse("""{"cniVersion":"1.0.0","ips":[{"address":"10.66.0.9/24","gateway":"10.66.0.1"}]}""", "test");

        Assert.Equal([IPAddress.Parse("10.66.0.9")], result.SandboxAddresses());
    }

    [Theory]
    [InlineData("""{"cniVersion":"1.0.0","ips":[{"address":"10.66.0.9"}]}""", "address/prefix")]
    [InlineData("""{"cniVersion":"1.0.0","ips":[{"address":"10.66.0.9/24","gateway":"x"}]}""", "gateway")]
    [InlineData("""not json""", "not valid JSON")]
    public void A_malformed_result_is_an_error_naming_the_call(string json, string expected)
    {
        var error = Assert.Throws<RuntimeException>(() => CniResult.Parse(json, "CNI ADD of plugin bridge for sb1"));

        Assert.Contains("CNI ADD of plugin bridge for sb1", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_json_becomes_code_msg_and_details_in_the_message()
    {
        var output = new ProcessResult(1, """{"cniVersion":"1.0.0","code":7,"msg":"invalid network config","details":"bridge name too long"}""", "");

        var error = CniErrorParser.Parse("ADD", "bridge", "sb1", output);

        Assert.Equal((7, "invalid network config", "bridge name too long"), (error.Code, error.Msg, error.Details));
        Assert.Equal(RuntimeErrorKind.Invalid, error.Kind);
        Assert.Equal("CNI ADD of plugin bridge for sb1 failed (code 7): invalid network config; bridge name too long", error.Message);
        Assert.False(error.IsNotFound);
    }

    [Theory]
    [InlineData(3, "container unknown", RuntimeErrorKind.NotFound, true)]
    [InlineData(11, "try again", RuntimeErrorKind.Unavailable, false)]
    [InlineData(1, "incompatible CNI versions", RuntimeErrorKind.Invalid, false)]
    [InlineData(100, "failed to find plugin \"x\"", RuntimeErrorKind.Internal, false)]
    [InlineData(999, "Link not found", RuntimeErrorKind.Internal, true)]
    public void Codes_map_to_error_kinds_and_not_found_is_recognised(int code, string msg, RuntimeErrorKind kind, bool notFound)
    {
        var output = new ProcessResult(1, $$"""{"code":{{code}},"msg":"{{msg.Replace("\"", "\\\"", StringComparison.Ordinal)}}"}""", "");

        var error = CniErrorParser.Parse("DEL", "bridge", "sb1", output);

        Assert.Equal(kind, error.Kind);
        Assert.Equal(notFound, error.IsNotFound);
        Assert.Null(error.Details);
    }

    [Fact]
    public void A_plugin_that_prints_no_error_json_is_reported_with_its_stderr()
    {
        var error = CniErrorParser.Parse("ADD", "portmap", "sb1", new ProcessResult(2, "", "panic: runtime error\n"));

        Assert.Equal(0, error.Code);
        Assert.Equal("CNI ADD of plugin portmap for sb1 failed: exit code 2: panic: runtime error", error.Message);
    }

    [Fact]
    public void Cni_args_are_semicolon_separated_pairs_in_order()
    {
        var args = new CniRuntimeArgs("sb1", "/run/netns/sb1", "eth0", [new("IgnoreUnknown", "1"), new("K8S_POD_NAME", "web")]);

        Assert.Equal("IgnoreUnknown=1;K8S_POD_NAME=web", args.FormatArgs());
    }

    [Fact]
    public void Masquerade_chain_and_comment_follow_the_bridge_plugins_naming()
    {
        // Observed on this machine: the Debian bridge plugin's chain for network "nodeagent", container "nat38b362-gone".
        Assert.Equal("CNI-1f3032b6c20184411ccdcd38", BridgeMasqueradeCleanup.ChainName("nodeagent", "nat38b362-gone"));
        Assert.Equal("name: \"nodeagent\" id: \"nat38b362-gone\"", BridgeMasqueradeCleanup.Comment("nodeagent", "nat38b362-gone"));
    }
}
