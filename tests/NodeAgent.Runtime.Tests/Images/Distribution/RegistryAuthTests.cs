using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Images;
using NodeAgent.Runtime.Images.Distribution;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Faults;
using TestImages = NodeAgent.Testing.Images.TestImages;
using NodeAgent.Testing.Registry;

namespace NodeAgent.Runtime.Tests.Images.Distribution;

[Collection(DistributionRegistryCollection.Name)]
public sealed class RegistryAuthTests(DistributionRegistry registry)
{
    [Fact]
    public async Task Basic_auth_with_the_right_password_pulls_and_a_wrong_one_fails_clearly()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var secured = await RegistryFixture.StartNewAsync(RegistryOptions.WithBasicAuth(), cts.Token);
        var image = await secured.PushImageAsync(TestImages.Busybox(), "private/busybox:latest", cts.Token);
        var credentials = secured.Credentials!;
        var reference = ImageReference.Parse($"{secured.Host}/private/busybox:latest");
        using var client = TestRegistryClients.Create(secured.Host);

        var manifest = await client.GetManifestAsync(reference, new RegistryAuth(credentials.Username, credentials.Password), cts.Token);
        await using (var blob = await client.OpenBlobAsync(reference, image.Config.Digest, 0, new RegistryAuth(credentials.Username, credentials.Password), cts.Token))
        {
            Assert.Equal(image.Config.Digest, Digests.Sha256(await RegistryClientTests.ReadAllAsync(blob, cts.Token)));
        }

        var wrong = await Assert.ThrowsAsync<RegistryException>(
            () => client.GetManifestAsync(reference, new RegistryAuth(credentials.Username, "not-the-password"), cts.Token));
        var anonymous = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(reference, null, cts.Token));

        Assert.Equal(image.ManifestDigest, manifest.Digest);
        Assert.Equal(RuntimeErrorKind.Unauthenticated, wrong.Kind);
        Assert.Equal(
            $"authentication failed for registry {secured.Host} as user '{credentials.Username}': the registry rejected the credentials",
            wrong.Message);
        Assert.DoesNotContain("not-the-password", wrong.Message, StringComparison.Ordinal);
        Assert.Equal(RuntimeErrorKind.Unauthenticated, anonymous.Kind);
        Assert.Equal($"registry {secured.Host} requires authentication for private/busybox: no credentials were given", anonymous.Message);
    }

    [Fact]
    public async Task Credentials_from_registries_yaml_apply_when_the_pull_has_none()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var secured = await RegistryFixture.StartNewAsync(RegistryOptions.WithBasicAuth(), cts.Token);
        var image = await secured.PushImageAsync(TestImages.Busybox(), "private/busybox:latest", cts.Token);
        var config = RegistriesYaml.Parse(
            $"configs:\n  \"{secured.Host}\":\n    auth:\n      username: {secured.Credentials!.Username}\n      password: {secured.Credentials.Password}\n",
            "registries.yaml");
        using var client = TestRegistryClients.Create(TestRegistryClients.FastOptions(secured.Host), config);

        var manifest = await client.GetManifestAsync(ImageReference.Parse($"{secured.Host}/private/busybox:latest"), null, cts.Token);

        Assert.Equal(image.ManifestDigest, manifest.Digest);
    }

    [Fact]
    public async Task Bearer_tokens_are_fetched_with_basic_credentials_and_cached_per_scope()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var proxy = FaultProxy.Start(registry.Host);
        proxy.RequireBearer("alice", "wonderland");
        using var client = TestRegistryClients.Create(proxy.Host);
        var auth = new RegistryAuth("alice", "wonderland");
        var reference = ImageReference.Parse($"{proxy.Host}/{DistributionRegistry.BusyboxRepository}:latest");

        var manifest = await client.GetManifestAsync(reference, auth, cts.Token);
        foreach (var blob in registry.Busybox.Layers.Select(l => l.Descriptor).Append(registry.Busybox.Config))
        {
            await using var stream = await client.OpenBlobAsync(reference, blob.Digest, 0, auth, cts.Token);
            Assert.Equal(blob.Digest, Digests.Sha256(await RegistryClientTests.ReadAllAsync(stream, cts.Token)));
        }

        Assert.Equal(registry.Busybox.ManifestDigest, manifest.Digest);
        var token = Assert.Single(proxy.TokenRequests);
        Assert.Equal($"service=nodeagent-test&scope={Uri.EscapeDataString("repository:nodeagent-test/busybox:pull")}", token.Query);
        // One 401 to learn the challenge; afterwards every request carries the cached token.
        Assert.Single(proxy.Requests, r => r.Path.StartsWith("/v2/", StringComparison.Ordinal) && r.Header("Authorization") is null);
    }

    [Fact]
    public async Task Anonymous_bearer_tokens_work_without_credentials()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var proxy = FaultProxy.Start(registry.Host);
        proxy.RequireBearer();
        using var client = TestRegistryClients.Create(proxy.Host);

        var manifest = await client.GetManifestAsync(
            ImageReference.Parse($"{proxy.Host}/{DistributionRegistry.BusyboxRepository}:latest"), null, cts.Token);

        Assert.Equal(registry.Busybox.ManifestDigest, manifest.Digest);
        Assert.Null(Assert.Single(proxy.TokenRequests).Header("Authorization"));
    }

    [Fact]
    public async Task A_wrong_password_at_the_token_server_fails_clearly_and_quickly()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var proxy = FaultProxy.Start(registry.Host);
        proxy.RequireBearer("alice", "wonderland");
        using var client = TestRegistryClients.Create(proxy.Host);

        var e = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(
            ImageReference.Parse($"{proxy.Host}/{DistributionRegistry.BusyboxRepository}:latest"), new RegistryAuth("alice", "guess"), cts.Token));

        Assert.Equal(RuntimeErrorKind.Unauthenticated, e.Kind);
        Assert.Equal(
            $"authentication failed for registry {proxy.Host} as user 'alice': its token server http://{proxy.Host}/token rejected the credentials (401)",
            e.Message);
        Assert.Single(proxy.TokenRequests); // not retried
    }

    [Fact]
    public async Task A_registry_token_is_sent_as_the_bearer_without_a_token_request()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var proxy = FaultProxy.Start(registry.Host);
        proxy.RequireBearer("alice", "wonderland");
        proxy.AcceptToken("kubelet-supplied");
        using var client = TestRegistryClients.Create(proxy.Host);
        var reference = ImageReference.Parse($"{proxy.Host}/{DistributionRegistry.BusyboxRepository}:latest");

        var manifest = await client.GetManifestAsync(reference, new RegistryAuth(RegistryToken: "kubelet-supplied"), cts.Token);
        var rejected = await Assert.ThrowsAsync<RegistryException>(
            () => client.GetManifestAsync(reference, new RegistryAuth(RegistryToken: "stale"), cts.Token));

        Assert.Equal(registry.Busybox.ManifestDigest, manifest.Digest);
        Assert.Empty(proxy.TokenRequests);
        Assert.Equal(RuntimeErrorKind.Unauthenticated, rejected.Kind);
        Assert.StartsWith($"authentication failed for registry {proxy.Host} as the given token", rejected.Message, StringComparison.Ordinal);
    }
}
