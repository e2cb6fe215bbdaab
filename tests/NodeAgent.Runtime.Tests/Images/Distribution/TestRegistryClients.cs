using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Runtime.Images.Distribution;

namespace NodeAgent.Runtime.Tests.Images.Distribution;

/// <summary>Registry clients with test-sized timeouts and backoffs, talking plain HTTP to 127.0.0.1 hosts.</summary>
internal static class TestRegistryClients
{
    /// <summary>Short enough that a test of persistent faults finishes in seconds.</summary>
    public static RegistryClientOptions FastOptions(params string[] insecureRegistries) => new()
    {
        InsecureRegistries = insecureRegistries,
        MaxAttempts = 4,
        InitialBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(200),
        RequestTimeout = TimeSpan.FromSeconds(2),
        ReadIdleTimeout = TimeSpan.FromSeconds(2),
        ConnectTimeout = TimeSpan.FromSeconds(2),
    };

    public static RegistryClient Create(params string[] insecureRegistries) => Create(FastOptions(insecureRegistries));

    public static RegistryClient Create(RegistryClientOptions options, RegistryHostsConfig? config = null, HttpMessageHandler? handler = null)
        => new(
            options,
            new RegistryHosts(config ?? RegistryHostsConfig.Empty, options.InsecureRegistries),
            TimeProvider.System,
            NullLogger<RegistryClient>.Instance,
            handler);
}
