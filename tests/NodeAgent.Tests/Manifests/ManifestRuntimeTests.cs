using NodeAgent.Tests.Server;

namespace NodeAgent.Tests.Manifests;

/// <summary>The manifest suite on the server's built-in CRI runtime; busybox comes through a docker.io mirror.</summary>
[Collection(ManifestFixture.Collection)]
public sealed class ManifestsOnBuiltInRuntimeTests(ManifestFixture fixture) : ManifestSuite(fixture)
{
    private protected override ServerNetwork Network()
        => ServerNetwork.New() with { RegistryMirrors = new Dictionary<string, string> { ["docker.io"] = "http://" + Fixture.Registry.Host } };
}

/// <summary>
/// The same suite with the node role on the containerd fixture (<c>--container-runtime-endpoint</c>); containerd's own
/// hosts.toml mirrors docker.io to the same registry.
/// </summary>
[Collection(ManifestFixture.Collection)]
public sealed class ManifestsOnContainerdTests(ManifestFixture fixture) : ManifestSuite(fixture)
{
    private protected override ServerNetwork Network()
        => ServerNetwork.New() with { ContainerRuntimeEndpoint = Fixture.Containerd.Settings.Endpoint };
}
