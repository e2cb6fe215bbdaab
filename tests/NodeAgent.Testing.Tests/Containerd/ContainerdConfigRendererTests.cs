using System.Text.Json;
using NodeAgent.Testing.Containerd;

namespace NodeAgent.Testing.Tests.Containerd;

public sealed class ContainerdConfigRendererTests
{
    private static readonly ContainerdSettings Settings = new()
    {
        Prefix = "nat0a0b0c",
        BaseDirectory = "/tmp/nat0a0b0c-containerd-x",
        RegistryHost = "127.0.0.1:5123",
        SandboxImage = "127.0.0.1:5123/nodeagent-test/pause:catatonit",
        PodSubnet = "10.203.7.0/24",
    };

    [Fact]
    public void Config_keeps_every_path_under_the_base_directory_and_respects_machine_quirks()
    {
        var toml = ContainerdConfigRenderer.RenderConfig(Settings);

        Assert.Contains("root = \"/tmp/nat0a0b0c-containerd-x/root\"", toml, StringComparison.Ordinal);
        Assert.Contains("state = \"/tmp/nat0a0b0c-containerd-x/state\"", toml, StringComparison.Ordinal);
        Assert.Contains("address = \"/tmp/nat0a0b0c-containerd-x/containerd.sock\"", toml, StringComparison.Ordinal);
        Assert.Contains("restrict_oom_score_adj = true", toml, StringComparison.Ordinal);
        Assert.Contains("netns_mounts_under_state_dir = true", toml, StringComparison.Ordinal);
        Assert.Contains("sandbox_image = \"127.0.0.1:5123/nodeagent-test/pause:catatonit\"", toml, StringComparison.Ordinal);
        Assert.Contains("\"io.containerd.internal.v1.opt\"", toml, StringComparison.Ordinal);
        Assert.DoesNotContain("/var/lib/containerd", toml, StringComparison.Ordinal);
        Assert.DoesNotContain("/run/containerd", toml, StringComparison.Ordinal);
    }

    [Fact]
    public void Cni_conflist_uses_the_unique_bridge_subnet_and_no_masquerade()
    {
        using var conflist = JsonDocument.Parse(ContainerdConfigRenderer.RenderCniConflist(Settings));
        var plugins = conflist.RootElement.GetProperty("plugins");
        var bridge = plugins[0];

        Assert.Equal("nat0a0b0c-net", conflist.RootElement.GetProperty("name").GetString());
        Assert.Equal(["bridge", "portmap", "loopback"], plugins.EnumerateArray().Select(p => p.GetProperty("type").GetString()));
        Assert.Equal("nat0a0b0cb", bridge.GetProperty("bridge").GetString());
        Assert.False(bridge.GetProperty("ipMasq").GetBoolean());
        Assert.Equal("10.203.7.0/24", bridge.GetProperty("ipam").GetProperty("ranges")[0][0].GetProperty("subnet").GetString());
        Assert.Equal("/tmp/nat0a0b0c-containerd-x/cni/ipam", bridge.GetProperty("ipam").GetProperty("dataDir").GetString());
    }

    [Fact]
    public void Hosts_toml_sends_everything_to_the_local_registry_over_http()
    {
        var hosts = ContainerdConfigRenderer.RenderHostsToml("127.0.0.1:5123");

        Assert.StartsWith("server = \"http://127.0.0.1:5123\"", hosts, StringComparison.Ordinal);
        Assert.Contains("[host.\"http://127.0.0.1:5123\"]", hosts, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", hosts, StringComparison.Ordinal);
    }
}
