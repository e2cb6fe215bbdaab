using Microsoft.Extensions.Logging;

namespace NodeAgent.Runtime.Images.Distribution;

/// <summary>Builds the registry client from its options: registries.yaml read (and validated) once, at start.</summary>
public static class RegistryClientFactory
{
    public static RegistryClient Create(RegistryClientOptions options, ILoggerFactory loggerFactory, TimeProvider time, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var logger = loggerFactory.CreateLogger<RegistryClient>();
        return new RegistryClient(options, LoadHosts(options, logger), time, logger, handler);
    }

    public static RegistryHosts LoadHosts(RegistryClientOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = RegistryHostsConfig.Empty;
        if (options.RegistriesYamlPath is { } path)
        {
            if (File.Exists(path))
            {
                config = RegistriesYaml.Load(path);
            }
            else
            {
                RegistryLog.NoRegistriesYaml(logger, path);
            }
        }

        return new RegistryHosts(config, options.InsecureRegistries);
    }
}
