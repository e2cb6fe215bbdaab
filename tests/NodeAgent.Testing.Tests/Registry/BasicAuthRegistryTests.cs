using System.Net;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.Registry;

namespace NodeAgent.Testing.Tests.Registry;

public sealed class BasicAuthRegistryTests(BasicAuthRegistryFixture registry) : IClassFixture<BasicAuthRegistryFixture>
{
    [Fact]
    public async Task Unauthenticated_requests_get_401_with_a_basic_challenge()
    {
        using var cts = TestDeadline.Seconds(60);
        using var anonymous = registry.CreateClient(credentials: null);

        using var response = await anonymous.GetAsync("v2/", cts.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task Push_with_the_right_credentials_works_and_reads_back()
    {
        using var cts = TestDeadline.Seconds(60);
        Assert.NotNull(registry.Credentials);

        var image = await registry.PushImageAsync(TestImages.Busybox(), "auth/busybox:v1", cts.Token);
        using var client = registry.CreateClient();

        Assert.Equal(image.ManifestDigest, (await client.GetManifestAsync("auth/busybox", "v1", cts.Token)).Digest);
    }

    [Fact]
    public async Task Push_with_a_wrong_password_fails_saying_unauthorized()
    {
        using var cts = TestDeadline.Seconds(60);
        using var layout = new TempDirectory("oci-push");
        await new OciLayoutWriter(layout.Path).AddImageAsync(TestImages.Busybox(), cts.Token);
        var wrong = registry.Credentials! with { Password = "not-the-password" };

        var error = await Assert.ThrowsAsync<RegistryPushException>(
            () => registry.PushAsync(layout.Path, TestImages.BusyboxTag, "auth/wrong:v1", wrong, cts.Token));

        Assert.Contains("unauthorized", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("not-the-password", error.Message, StringComparison.Ordinal);
        Assert.NotEqual(0, error.ExitCode);
    }

    [Fact]
    public async Task Anonymous_push_fails()
    {
        using var cts = TestDeadline.Seconds(60);
        using var layout = new TempDirectory("oci-push");
        await new OciLayoutWriter(layout.Path).AddImageAsync(TestImages.Busybox(), cts.Token);

        await Assert.ThrowsAsync<RegistryPushException>(
            () => registry.PushAsync(layout.Path, TestImages.BusyboxTag, "auth/anonymous:v1", credentials: null, cts.Token));
    }
}
