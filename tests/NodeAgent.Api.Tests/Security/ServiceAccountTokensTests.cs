using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NodeAgent.Api.Security;
using NodeAgent.Testing.Common;

namespace NodeAgent.Api.Tests.Security;

/// <summary>The service-account token issuer: upstream's claims, and every way a token must fail validation.</summary>
public sealed class ServiceAccountTokensTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Api = [ServiceAccountTokens.DefaultIssuer];

    private readonly TempDirectory _dir = new(TestIds.NewPrefix());

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_bound_token_carries_upstreams_claims_and_validates_back_to_them()
    {
        using var tokens = Issuer(new FixedTime(Now));
        var token = tokens.Issue(Claims(Now, 3600, pod: ("web-1", "pod-uid")));

        var header = Part(token, 0);
        Assert.Equal("RS256", header.GetProperty("alg").GetString());
        Assert.Equal(tokens.KeyId, header.GetProperty("kid").GetString());
        var payload = Part(token, 1);
        Assert.Equal(ServiceAccountTokens.DefaultIssuer, payload.GetProperty("iss").GetString());
        Assert.Equal("system:serviceaccount:team:builder", payload.GetProperty("sub").GetString());
        Assert.Equal("[\"https://kubernetes.default.svc.cluster.local\"]", payload.GetProperty("aud").GetRawText());
        Assert.Equal(Now.ToUnixTimeSeconds(), payload.GetProperty("iat").GetInt64());
        Assert.Equal(Now.ToUnixTimeSeconds(), payload.GetProperty("nbf").GetInt64());
        Assert.Equal(Now.ToUnixTimeSeconds() + 3600, payload.GetProperty("exp").GetInt64());
        Assert.True(Guid.TryParse(payload.GetProperty("jti").GetString(), out _));
        var kubernetes = payload.GetProperty("kubernetes.io");
        Assert.Equal("team", kubernetes.GetProperty("namespace").GetString());
        Assert.Equal("{\"name\":\"builder\",\"uid\":\"sa-uid\"}", kubernetes.GetProperty("serviceaccount").GetRawText());
        Assert.Equal("{\"name\":\"web-1\",\"uid\":\"pod-uid\"}", kubernetes.GetProperty("pod").GetRawText());

        var claims = await tokens.ValidateAsync(token, Api);
        Assert.NotNull(claims);
        Assert.Equal(("team", "builder", "sa-uid", "web-1", "pod-uid"), (claims.Namespace, claims.ServiceAccountName, claims.ServiceAccountUid, claims.PodName, claims.PodUid));
        Assert.Equal(Now.AddSeconds(3600), claims.Expires);
    }

    [Fact]
    public async Task Expired_not_yet_valid_foreign_audience_forged_and_tampered_tokens_are_refused()
    {
        using var tokens = Issuer(new FixedTime(Now));
        var valid = tokens.Issue(Claims(Now.AddHours(-2), 3600));
        Assert.Null(await tokens.ValidateAsync(valid, Api));

        var atExpiry = tokens.Issue(Claims(Now.AddSeconds(-600), 600));
        Assert.Null(await tokens.ValidateAsync(atExpiry, Api));

        var future = tokens.Issue(Claims(Now.AddMinutes(5), 3600));
        Assert.Null(await tokens.ValidateAsync(future, Api));
        var slightlyAhead = tokens.Issue(Claims(Now.AddSeconds(30), 3600));
        Assert.NotNull(await tokens.ValidateAsync(slightlyAhead, Api));

        var vault = tokens.Issue(Claims(Now, 3600) with { Audiences = ["vault"] });
        Assert.Null(await tokens.ValidateAsync(vault, Api));
        Assert.NotNull(await tokens.ValidateAsync(vault, ["vault"]));

        using var other = new ServiceAccountTokens(RSA.Create(2048), ServiceAccountTokens.DefaultIssuer, null, new FixedTime(Now));
        Assert.Null(await tokens.ValidateAsync(other.Issue(Claims(Now, 3600)), Api));

        using var otherIssuer = new ServiceAccountTokens(RSA.Create(2048), "https://elsewhere.example", null, new FixedTime(Now));
        Assert.Null(await tokens.ValidateAsync(otherIssuer.Issue(Claims(Now, 3600) with { Audiences = Api }), Api));

        var parts = tokens.Issue(Claims(Now, 3600)).Split('.');
        var payload = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1])).Replace("builder", "admin00", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";
        Assert.Null(await tokens.ValidateAsync(tampered, Api));

        Assert.Null(await tokens.ValidateAsync("not-a-jwt", Api));
        Assert.Null(await tokens.ValidateAsync(AdminToken.Generate(), Api));
    }

    [Fact]
    public void The_signing_key_is_generated_once_kept_private_and_reused()
    {
        var path = _dir.Combine("tls", "sa.key");
        string kid;
        using (var first = ServiceAccountTokens.LoadOrCreate(path, ServiceAccountTokens.DefaultIssuer, TimeProvider.System))
        {
            kid = first.KeyId;
        }

        Assert.Equal(PrivateFile.OwnerOnly, File.GetUnixFileMode(path));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(path), StringComparison.Ordinal);
        using var second = ServiceAccountTokens.LoadOrCreate(path, ServiceAccountTokens.DefaultIssuer, TimeProvider.System);
        Assert.Equal(kid, second.KeyId);
        Assert.Equal(Api, second.ApiAudiences);
    }

    private ServiceAccountTokens Issuer(TimeProvider time)
        => ServiceAccountTokens.LoadOrCreate(_dir.Combine("sa.key"), ServiceAccountTokens.DefaultIssuer, time);

    private static ServiceAccountTokenClaims Claims(DateTimeOffset issued, int seconds, (string Name, string Uid)? pod = null)
        => new("team", "builder", "sa-uid", pod?.Name, pod?.Uid, Api, issued, issued.AddSeconds(seconds));

    private static JsonElement Part(string token, int index)
        => JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[index])).RootElement.Clone();
}
