using NodeAgent.Testing.Images;
using NodeAgent.Testing.Registry;

namespace NodeAgent.Runtime.Tests.Images.Conformance;

/// <summary>The images every image scenario uses, pushed once into a fixture's registry.</summary>
public sealed record ScenarioImages(
    string Registry,
    BuiltImage Busybox,
    BuiltImage MultiLayer,
    BuiltIndex MultiPlatform,
    BuiltImage Sibling)
{
    public const string MirroredRepository = "nodeagent-test/mirrored";

    public string BusyboxRef => $"{Registry}/nodeagent-test/scenario-busybox:latest";

    public string MultiLayerRef => $"{Registry}/nodeagent-test/multilayer:latest";

    public string MultiPlatformRef => $"{Registry}/nodeagent-test/multiplatform:latest";

    /// <summary>Shares busybox's base layer, so removing one must keep the other intact.</summary>
    public string SiblingRef => $"{Registry}/nodeagent-test/sibling:latest";

    /// <summary>Only reachable through a registries.yaml / hosts.toml mirror entry.</summary>
    public static string MirroredUpstreamRef => $"registry.k8s.io/{MirroredRepository}:1.0";

    public static async Task<ScenarioImages> PushAsync(RegistryFixture registry, CancellationToken ct)
    {
        var busybox = await registry.PushImageAsync(TestImages.Busybox(), "nodeagent-test/scenario-busybox:latest", ct);
        var multiLayer = await registry.PushImageAsync(TestImages.MultiLayer(), "nodeagent-test/multilayer:latest", ct);
        var multiPlatform = await registry.PushIndexAsync(TestImages.MultiPlatform(), "nodeagent-test/multiplatform:latest", ct);
        var sibling = await registry.PushImageAsync(
            ImageSpec.Busybox("nodeagent-test/sibling").WithFiles(LayerEntry.TextFile("/etc/sibling", "sibling\n")),
            "nodeagent-test/sibling:latest",
            ct);
        await registry.PushImageAsync(TestImages.Busybox(), MirroredRepository + ":1.0", ct);
        return new ScenarioImages(registry.Host, busybox, multiLayer, multiPlatform, sibling);
    }
}
