using System.Collections;
using NodeAgent.Configuration;
using NodeAgent.Testing.Common;

namespace NodeAgent.Tests.Configuration;

public sealed class ConfigResolverTests : IDisposable
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoFlags = new Dictionary<string, IReadOnlyList<string>>();
    private readonly TempDirectory _dir = new(TestIds.NewPrefix());

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Precedence_is_flag_then_env_then_file_then_default()
    {
        var file = WriteConfig("bridge: filebr\nrun-dir: /file/run\ndata-dir: /file/data\n");
        var env = new Hashtable { ["NODEAGENT_BRIDGE"] = "envbr", ["NODEAGENT_RUN_DIR"] = "/env/run" };
        var flags = Flags(("config", file), ("bridge", "flagbr"));

        var resolved = ConfigResolver.Resolve(ConfigKeys.Cri, flags, env);

        Assert.Equal(("flagbr", ConfigSource.Flag), Pick(resolved, ConfigKeys.Bridge));
        Assert.Equal(("/env/run", ConfigSource.Environment), Pick(resolved, ConfigKeys.RunDir));
        Assert.Equal(("/file/data", ConfigSource.File), Pick(resolved, ConfigKeys.DataDir));
        Assert.Equal(("10.66.0.0/16", ConfigSource.Default), Pick(resolved, ConfigKeys.PodCidr));
        Assert.Equal(file, resolved.ConfigFile);
    }

    [Fact]
    public void Config_file_can_come_from_the_environment()
    {
        var file = WriteConfig("bridge: filebr\n");

        var resolved = ConfigResolver.Resolve(ConfigKeys.Cri, NoFlags, new Hashtable { ["NODEAGENT_CONFIG"] = file });

        Assert.Equal(("filebr", ConfigSource.File), Pick(resolved, ConfigKeys.Bridge));
    }

    [Fact]
    public void Repeatable_setting_from_environment_is_comma_separated()
    {
        var env = new Hashtable { ["NODEAGENT_INSECURE_REGISTRY"] = "127.0.0.1:5000, localhost:5001" };

        var options = NodeAgentOptionsBuilder.Build(ConfigResolver.Resolve(ConfigKeys.Cri, NoFlags, env));

        Assert.Equal(["127.0.0.1:5000", "localhost:5001"], options.InsecureRegistries);
    }

    [Fact]
    public void File_values_keep_their_line_and_column_as_origin()
    {
        var file = WriteConfig("# comment\nbridge: filebr\n");

        var resolved = ConfigResolver.Resolve(ConfigKeys.Cri, Flags(("config", file)), new Hashtable());

        Assert.Equal($"{file}:2:9", resolved.Get(ConfigKeys.Bridge).Origin);
    }

    [Fact]
    public void Explicit_missing_config_file_is_an_error()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve(ConfigKeys.Cri, Flags(("config", "/nope/c.yaml")), new Hashtable()));

        Assert.Contains("/nope/c.yaml", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_validate_into_the_documented_options()
    {
        var options = NodeAgentOptionsBuilder.Build(ConfigResolver.Resolve(ConfigKeys.Server, NoFlags, new Hashtable()));

        Assert.Equal("/var/lib/nodeagent", options.DataDir);
        Assert.Equal("/run/nodeagent", options.RunDir);
        Assert.Equal("127.0.0.1", options.ApiAddress.ToString());
        Assert.Equal(6443, options.ApiPort);
        Assert.Equal("/etc/nodeagent/admin.kubeconfig", options.Kubeconfig);
        Assert.Equal("na0", options.Bridge);
        Assert.Equal("10.66.0.0/16", options.PodCidr.ToString());
        Assert.Equal("10.67.0.0/16", options.ServiceCidr.ToString());
        Assert.Equal("sqlite", options.DatastoreEndpoint);
        Assert.Null(options.ContainerRuntimeEndpoint);
        Assert.Empty(options.InsecureRegistries);
        Assert.False(string.IsNullOrEmpty(options.NodeName));
        Assert.Equal("/usr/lib/cni", options.CniBinDir);
    }

    [Fact]
    public void Cni_bin_dir_comes_from_the_environment_and_a_flag_wins_over_it()
    {
        var env = new Hashtable { ["NODEAGENT_CNI_BIN_DIR"] = "/opt/cni/bin" };

        Assert.Equal("/opt/cni/bin", NodeAgentOptionsBuilder.Build(ConfigResolver.Resolve(ConfigKeys.Cri, NoFlags, env)).CniBinDir);
        Assert.Equal("/flag/cni", NodeAgentOptionsBuilder.Build(ConfigResolver.Resolve(ConfigKeys.Server, Flags(("cni-bin-dir", "/flag/cni")), env)).CniBinDir);
    }

    [Theory]
    [InlineData("api-port", "0")]
    [InlineData("api-port", "65536")]
    [InlineData("api-port", "https")]
    [InlineData("api-address", "localhost")]
    [InlineData("bridge", "a-bridge-name-that-is-too-long")]
    [InlineData("node-name", "Upper_Case")]
    [InlineData("datastore-endpoint", "mysql://db")]
    [InlineData("datastore-endpoint", "http://127.0.0.1")]
    [InlineData("container-runtime-endpoint", "unix:relative")]
    [InlineData("pod-cidr", "10.66.0.0")]
    [InlineData("pod-cidr", "not-a-cidr/8")]
    [InlineData("eviction-hard", "memory.available>100Mi")]
    [InlineData("eviction-hard", "cpu.available<1")]
    [InlineData("eviction-hard", "nodefs.available<150%")]
    public void Invalid_values_name_the_setting_value_and_origin(string key, string value)
    {
        var e = Assert.Throws<ConfigException>(() => NodeAgentOptionsBuilder.Build(ConfigResolver.Resolve(ConfigKeys.Server, Flags((key, value)), new Hashtable())));

        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{value}\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("--" + key, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlapping_pod_and_service_cidrs_are_rejected()
    {
        var e = Assert.Throws<ConfigException>(() => NodeAgentOptionsBuilder.Build(
            ConfigResolver.Resolve(ConfigKeys.Server, Flags(("pod-cidr", "10.0.0.0/8"), ("service-cidr", "10.67.0.0/16")), new Hashtable())));

        Assert.Contains("overlap", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Etcd_endpoints_are_accepted()
    {
        var options = NodeAgentOptionsBuilder.Build(
            ConfigResolver.Resolve(ConfigKeys.Server, Flags(("datastore-endpoint", "http://127.0.0.1:2379,http://127.0.0.1:2381")), new Hashtable()));

        Assert.Equal("http://127.0.0.1:2379,http://127.0.0.1:2381", options.DatastoreEndpoint);
    }

    [Fact]
    public void Printed_config_reads_back_to_the_same_options()
    {
        var flags = Flags(("bridge", "br7"), ("pod-cidr", "10.90.0.0/16"), ("node-name", "n1"));
        var resolved = ConfigResolver.Resolve(ConfigKeys.Server, flags, new Hashtable());
        var options = NodeAgentOptionsBuilder.Build(resolved);
        var printed = ConfigPrinter.Print(resolved, options);
        // container-runtime-endpoint prints as null; a real file would omit it.
        var file = WriteConfig(printed.Replace("container-runtime-endpoint: null", "# no runtime endpoint", StringComparison.Ordinal));

        var reread = NodeAgentOptionsBuilder.Build(ConfigResolver.Resolve(ConfigKeys.Server, Flags(("config", file)), new Hashtable()));

        Assert.Equal(options with { ConfigFile = null, InsecureRegistries = [], EvictionHard = [] }, reread with { ConfigFile = null, InsecureRegistries = [], EvictionHard = [] });
        Assert.Equal(options.EvictionHard, reread.EvictionHard);
    }

    [Fact]
    public void Eviction_thresholds_default_to_kubelets_and_come_from_flag_env_or_file()
    {
        var defaults = NodeAgentOptionsBuilder.Build(ConfigResolver.Resolve(ConfigKeys.Server, NoFlags, new Hashtable()));
        Assert.Equal(
            "memory.available<100Mi,nodefs.available<10%,nodefs.inodesFree<5%,imagefs.available<15%,imagefs.inodesFree<5%",
            string.Join(',', defaults.EvictionHard));

        var file = WriteConfig("eviction-hard: \"memory.available<1Gi\"\n");
        Assert.Equal(["memory.available<1Gi"], NodeAgentOptionsBuilder.Build(ConfigResolver.Resolve(ConfigKeys.Server, Flags(("config", file)), new Hashtable())).EvictionHard.Select(t => t.ToString()));
        var env = new Hashtable { ["NODEAGENT_EVICTION_HARD"] = "nodefs.available<5%,pid.available<1000" };
        Assert.Equal(["nodefs.available<5%", "pid.available<1k"], NodeAgentOptionsBuilder.Build(ConfigResolver.Resolve(ConfigKeys.Server, NoFlags, env)).EvictionHard.Select(t => t.ToString()));
        var flag = Flags(("eviction-hard", "memory.available<1Ei"));
        Assert.Equal(["memory.available<1Ei"], NodeAgentOptionsBuilder.Build(ConfigResolver.Resolve(ConfigKeys.Server, flag, env)).EvictionHard.Select(t => t.ToString()));
    }

    private string WriteConfig(string yaml)
    {
        var path = _dir.Combine($"config-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static Dictionary<string, IReadOnlyList<string>> Flags(params (string Name, string Value)[] flags)
        => flags.ToDictionary(f => f.Name, f => (IReadOnlyList<string>)[f.Value]);

    private static (string?, ConfigSource) Pick(ResolvedConfig resolved, ConfigKey key)
    {
        var value = resolved.Get(key);
        return (value.Last, value.Source);
    }
}
