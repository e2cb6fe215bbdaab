using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using NodeAgent.Api.Security;

namespace NodeAgent.Api.Tests.Fixtures;

/// <summary>Accepts exactly one bearer token (the test's admin).</summary>
internal sealed class StaticTokenAuthenticator(string token) : IApiAuthenticator
{
    public ValueTask<ApiUser?> AuthenticateAsync(HttpContext context, CancellationToken ct)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var user = header == "Bearer " + token ? new ApiUser("test-admin", ["system:masters"]) : null;
        return ValueTask.FromResult(user);
    }
}

internal sealed class AllowAllAuthorizer : IApiAuthorizer
{
    public AuthorizationDecision Authorize(AuthorizationAttributes attributes) => new(true, "allowed: tests allow all");

    public PolicyRules RulesFor(ApiUser user) =>
        new([new ResourceRule(["*"], ["*"], ["*"], [])], [new NonResourceRule(["*"], ["*"])], "allowed: tests allow all");
}

internal static class TestCertificates
{
    /// <summary>A self-signed serving certificate for 127.0.0.1 (clients skip verification).</summary>
    public static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=nodeagent-test", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        using var cert = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        // Round-trip through PKCS#12 so the private key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }
}
