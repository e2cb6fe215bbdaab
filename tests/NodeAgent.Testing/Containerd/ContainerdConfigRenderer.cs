using System.Text.Json;
using System.Text.Json.Nodes;

namespace NodeAgent.Testing.Containerd;

/// <summary>Renders containerd's config.toml, the CNI conflist and the registry hosts.toml files.</summary>
public static class ContainerdConfigRenderer
{
    private const string Cri = "plugins.\"io.containerd.grpc.v1.cri\"";

    /// <summary>
    /// Plugins a throwaway instance must not load: other snapshotters probe the host, "opt"
    /// writes to /opt/containerd, tracing would try to export.
    /// </summary>
    private static readonly string[] DisabledPlugins =
    [
        "io.containerd.snapshotter.v1.aufs",
        "io.containerd.snapshotter.v1.btrfs",
        "io.containerd.snapshotter.v1.zfs",
        "io.containerd.snapshotter.v1.devmapper",
        "io.containerd.internal.v1.opt",
        "io.containerd.tracing.processor.v1.otlp",
        "io.containerd.internal.v1.tracing",
    ];

    public static string RenderConfig(ContainerdSettings settings) => $"""
        version = 2
        root = {Toml(settings.Root)}
        state = {Toml(settings.State)}
        oom_score = 0
        disabled_plugins = [{string.Join(", ", DisabledPlugins.Select(Toml))}]

        [grpc]
          address = {Toml(settings.Socket)}

        [ttrpc]
          address = {Toml(settings.Socket + ".ttrpc")}

        [debug]
          address = ""
          level = "info"

        [metrics]
          address = ""

        [{Cri}]
          sandbox_image = {Toml(settings.SandboxImage)}
          # This machine refuses negative oom_score_adj (no CAP_SYS_RESOURCE).
          restrict_oom_score_adj = true
          # Pin network namespaces inside our state dir, not /run/netns, so cleanup is local.
          netns_mounts_under_state_dir = true
          stream_server_address = "127.0.0.1"
          stream_server_port = "0"
          enable_selinux = false
          disable_apparmor = true

        [{Cri}.containerd]
          snapshotter = "overlayfs"
          default_runtime_name = "runc"

        [{Cri}.containerd.runtimes.runc]
          runtime_type = "io.containerd.runc.v2"

        [{Cri}.containerd.runtimes.runc.options]
          Root = {Toml(settings.RuncRoot)}
          SystemdCgroup = false

        [{Cri}.cni]
          bin_dir = {Toml(settings.CniBinDirectory)}
          conf_dir = {Toml(settings.CniConfigDirectory)}
          max_conf_num = 1

        [{Cri}.registry]
          config_path = {Toml(settings.RegistryHostsDirectory)}

        """;

    /// <summary>
    /// A bridge network with a unique bridge name and subnet. No masquerade: test pods only talk
    /// to the host and each other, and no iptables rules are left to clean up.
    /// </summary>
    public static string RenderCniConflist(ContainerdSettings settings)
    {
        var conflist = new JsonObject
        {
            ["cniVersion"] = "1.0.0",
            ["name"] = settings.NetworkName,
            ["plugins"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "bridge",
                    ["bridge"] = settings.BridgeName,
                    ["isGateway"] = true,
                    ["ipMasq"] = false,
                    ["hairpinMode"] = true,
                    ["ipam"] = new JsonObject
                    {
                        ["type"] = "host-local",
                        ["dataDir"] = settings.IpamDirectory,
                        ["ranges"] = new JsonArray(new JsonArray(new JsonObject { ["subnet"] = settings.PodSubnet })),
                    },
                },
                new JsonObject { ["type"] = "portmap", ["capabilities"] = new JsonObject { ["portMappings"] = true } },
                new JsonObject { ["type"] = "loopback" }),
        };
        return conflist.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// hosts.toml for a registry namespace served by the test registry over plain HTTP.
    /// The server itself is the local registry, so nothing is ever fetched from the internet.
    /// </summary>
    public static string RenderHostsToml(string registryHost) => $"""
        server = {Toml("http://" + registryHost)}

        [host.{Toml("http://" + registryHost)}]
          capabilities = ["pull", "resolve"]
          skip_verify = true

        """;

    /// <summary>TOML basic strings share JSON's escapes for what paths and references contain.</summary>
    private static string Toml(string value) => JsonSerializer.Serialize(value);
}
