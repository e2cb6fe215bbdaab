using NodeAgent.Testing.Common;
using NodeAgent.Testing.Containerd;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.Registry;

namespace NodeAgent.Tests.Manifests;

/// <summary>
/// What the example manifests need: the loopback registry serving <c>docker.io/library/busybox:1.35</c> (the image the
/// manifests name, reached through a registry mirror) and a private containerd on the same registry for the
/// containerd run of the suite.
/// </summary>
public sealed class ManifestFixture : IAsyncLifetime
{
    public const string Collection = "manifests";

    /// <summary>The tag the manifests use: the Debian busybox-static the test image is built from.</summary>
    public const string BusyboxTag = "1.35";

    public ContainerdFixture Runtimes { get; } = new();

    public RegistryFixture Registry => Runtimes.Registry;

    public ContainerdInstance Containerd => Runtimes.Containerd;

    public async Task InitializeAsync()
    {
        await Runtimes.InitializeAsync();
        using var deadline = TestDeadline.Seconds(60);
        await Registry.PushImageAsync(ImageSpec.Busybox("library/busybox", BusyboxTag), "library/busybox:" + BusyboxTag, deadline.Token);
    }

    public Task DisposeAsync() => Runtimes.DisposeAsync();
}

[CollectionDefinition(ManifestFixture.Collection)]
public sealed class ManifestCollection : ICollectionFixture<ManifestFixture>;

/// <summary>Names the file under manifests/ a test applies, so the coverage test can check every example is exercised.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ExercisesManifestAttribute(string file) : Attribute
{
    public string File { get; } = file;
}
