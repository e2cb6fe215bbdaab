namespace NodeAgent.Configuration;

/// <summary>Turns resolved raw settings into validated <see cref="NodeAgentOptions"/>.</summary>
public static class NodeAgentOptionsBuilder
{
    public static NodeAgentOptions Build(ResolvedConfig config)
    {
        string PathOf(ConfigKey key) => ConfigValueParser.Path(Value(config, key));

        var options = new NodeAgentOptions
        {
            ConfigFile = config.ConfigFile,
            DataDir = PathOf(ConfigKeys.DataDir),
            RunDir = PathOf(ConfigKeys.RunDir),
            ApiAddress = ConfigValueParser.IpAddress(Value(config, ConfigKeys.ApiAddress)),
            ApiPort = ConfigValueParser.Port(Value(config, ConfigKeys.ApiPort)),
            Kubeconfig = PathOf(ConfigKeys.Kubeconfig),
            NodeName = config.Find(ConfigKeys.NodeName) is { Values.Count: > 0 } nodeName
                ? ConfigValueParser.NodeName(nodeName)
                : DefaultNodeName(),
            Bridge = ConfigValueParser.InterfaceName(Value(config, ConfigKeys.Bridge)),
            PodCidr = ConfigValueParser.Cidr(Value(config, ConfigKeys.PodCidr)),
            ServiceCidr = ConfigValueParser.Cidr(Value(config, ConfigKeys.ServiceCidr)),
            InsecureRegistries = config.Find(ConfigKeys.InsecureRegistry) is { } registries
                ? registries.Values.Select(r => ConfigValueParser.HostPort(registries, r)).ToArray()
                : [],
            RegistryConfig = PathOf(ConfigKeys.RegistryConfig),
            MetricsPort = ConfigValueParser.Port(Value(config, ConfigKeys.MetricsPort)),
            DatastoreEndpoint = ConfigValueParser.DatastoreEndpoint(Value(config, ConfigKeys.DatastoreEndpoint)),
            ContainerRuntimeEndpoint = config.Find(ConfigKeys.ContainerRuntimeEndpoint) is { Values.Count: > 0 } runtime
                ? ConfigValueParser.UnixEndpoint(runtime)
                : null,
            Listen = ConfigValueParser.UnixEndpoint(Value(config, ConfigKeys.Listen)),
            OciRuntime = PathOf(ConfigKeys.OciRuntime),
            CniBinDir = PathOf(ConfigKeys.CniBinDir),
            EvictionHard = ConfigValueParser.EvictionThresholds(Value(config, ConfigKeys.EvictionHard)),
            ContainerLogMaxSize = (Value(config, ConfigKeys.ContainerLogMaxSize).Last ?? string.Empty).Trim(),
            ContainerLogMaxSizeBytes = ConfigValueParser.LogMaxSize(Value(config, ConfigKeys.ContainerLogMaxSize)),
            ContainerLogMaxFiles = ConfigValueParser.LogMaxFiles(Value(config, ConfigKeys.ContainerLogMaxFiles)),
        };

        // The default registries.yaml location is optional; any other file the user names must
        // exist, or mirrors and credentials would silently be ignored.
        if (config.Find(ConfigKeys.RegistryConfig) is { Source: not ConfigSource.Default } registryConfig
            && options.RegistryConfig != ConfigKeys.RegistryConfig.Default
            && !File.Exists(options.RegistryConfig))
        {
            throw new ConfigException($"registry-config file {options.RegistryConfig} (from {registryConfig.Origin}) does not exist");
        }

        if (Overlaps(options.PodCidr, options.ServiceCidr) && config.Find(ConfigKeys.ServiceCidr) is not null)
        {
            throw new ConfigException($"pod-cidr {options.PodCidr} and service-cidr {options.ServiceCidr} overlap; choose disjoint ranges");
        }

        return options;
    }

    /// <summary>A key the command does not read keeps its default, so every option is always set.</summary>
    private static ConfigValue Value(ResolvedConfig config, ConfigKey key)
        => config.Find(key) ?? new ConfigValue(key, key.Default is null ? [] : [key.Default], ConfigSource.Default, "default");

    private static bool Overlaps(System.Net.IPNetwork a, System.Net.IPNetwork b)
        => a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress);

    private static string DefaultNodeName() => Environment.MachineName.ToLowerInvariant();
}
