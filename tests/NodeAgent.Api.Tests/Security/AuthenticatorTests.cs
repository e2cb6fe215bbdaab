using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using NodeAgent.Api.Security;

namespace NodeAgent.Api.Tests.Security;

public sealed class TokenAuthenticatorTests
{
    private static readonly TokenAuthenticator Authenticator = new(
    [
        AdminToken.Entry("admin-token"),
        new StaticToken("bob-token", "bob", "1001", ["dev", "qa"]),
    ]);

    [Fact]
    public async Task Admin_token_is_a_system_master()
    {
        var user = await Authenticator.AuthenticateAsync(WithAuthorization("Bearer admin-token"), CancellationToken.None);

        Assert.NotNull(user);
        Assert.Equal("admin", user.Name);
        Assert.Equal(["system:masters", "system:authenticated"], user.Groups);
    }

    [Theory]
    [InlineData("Bearer bob-token")]
    [InlineData("bearer bob-token")]
    [InlineData("Bearer  bob-token ")]
    public async Task Static_token_names_its_user_and_groups(string header)
    {
        var user = await Authenticator.AuthenticateAsync(WithAuthorization(header), CancellationToken.None);

        Assert.Equal(new[] { "bob", "dev", "qa", "system:authenticated" }, user is null ? [] : [user.Name, .. user.Groups]);
    }

    [Theory]
    [InlineData("Bearer wrong")]
    [InlineData("Bearer admin-token2")]
    [InlineData("Bearer admin-toke")]
    [InlineData("Bearer ")]
    [InlineData("Basic YWRtaW46YWRtaW4=")]
    [InlineData("admin-token")]
    [InlineData("")]
    public async Task Anything_else_is_not_mine(string header)
        => Assert.Null(await Authenticator.AuthenticateAsync(WithAuthorization(header), CancellationToken.None));

    private static DefaultHttpContext WithAuthorization(string header)
    {
        var context = new DefaultHttpContext();
        if (header.Length > 0)
        {
            context.Request.Headers.Authorization = header;
        }

        return context;
    }
}

public sealed class ClientCertificateAuthenticatorTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private readonly CertificateAuthority _ca = CertificateAuthority.Create("test-ca", Now.AddDays(-30));
    private readonly CertificateAuthority _otherCa = CertificateAuthority.Create("test-ca", Now.AddDays(-30));

    public void Dispose()
    {
        _ca.Dispose();
        _otherCa.Dispose();
    }

    [Fact]
    public async Task Certificate_from_our_ca_gives_cn_as_user_and_o_as_groups()
    {
        using var certificate = _ca.IssueClientCertificate("jane", ["system:masters", "ops"], Now.AddDays(-1), Now.AddDays(1));
        var context = new DefaultHttpContext();
        context.Connection.ClientCertificate = certificate;

        var user = await Authenticator().AuthenticateAsync(context, CancellationToken.None);

        Assert.NotNull(user);
        Assert.Equal("jane", user.Name);
        Assert.Equal(["system:masters", "ops", "system:authenticated"], user.Groups);
    }

    [Fact]
    public async Task No_certificate_is_not_mine()
        => Assert.Null(await Authenticator().AuthenticateAsync(new DefaultHttpContext(), CancellationToken.None));

    [Fact]
    public void Expired_certificate_is_rejected()
    {
        using var certificate = _ca.IssueClientCertificate("jane", [], Now.AddDays(-20), Now.AddDays(-1));

        Assert.Null(Authenticator().Authenticate(certificate));
    }

    [Fact]
    public void Not_yet_valid_certificate_is_rejected()
    {
        using var certificate = _ca.IssueClientCertificate("jane", [], Now.AddDays(2), Now.AddDays(20));

        Assert.Null(Authenticator().Authenticate(certificate));
    }

    [Fact]
    public void Certificate_from_another_ca_with_the_same_name_is_rejected()
    {
        using var certificate = _otherCa.IssueClientCertificate("jane", ["system:masters"], Now.AddDays(-1), Now.AddDays(1));

        Assert.Null(Authenticator().Authenticate(certificate));
    }

    [Fact]
    public void Serving_certificate_is_not_a_client_certificate()
    {
        var names = ServingCertificateNames.For("node1", IPAddress.Loopback, IPNetwork.Parse("10.67.0.0/16"));
        using var serving = _ca.IssueServingCertificate("jane", names, Now.AddDays(-1));

        Assert.Null(Authenticator().Authenticate(serving));
    }

    [Fact]
    public void Self_signed_certificate_is_rejected()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new CertificateRequest("CN=jane, O=system:masters", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var selfSigned = request.CreateSelfSigned(Now.AddDays(-1), Now.AddDays(1));

        Assert.Null(Authenticator().Authenticate(selfSigned));
    }

    private ClientCertificateAuthenticator Authenticator() => new(_ca, new FixedTime(Now));
}
