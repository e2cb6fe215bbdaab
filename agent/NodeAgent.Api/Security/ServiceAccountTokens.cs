using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace NodeAgent.Api.Security;

/// <summary>What a service-account token says: who (namespace, account, bound pod), for whom (audiences) and how long.</summary>
public sealed record ServiceAccountTokenClaims(
    string Namespace,
    string ServiceAccountName,
    string ServiceAccountUid,
    string? PodName,
    string? PodUid,
    IReadOnlyList<string> Audiences,
    DateTimeOffset IssuedAt,
    DateTimeOffset Expires)
{
    /// <summary>The user name upstream gives a service account: <c>system:serviceaccount:NS:NAME</c>.</summary>
    public string Subject => ServiceAccountTokens.UserName(Namespace, ServiceAccountName);
}

/// <summary>
/// Signs and checks service-account tokens as upstream's TokenRequest issuer does: RS256 JWTs with iss, sub, aud,
/// exp, iat, nbf, jti and the private <c>kubernetes.io</c> claim (namespace, serviceaccount, pod when bound). The
/// RSA key is generated at first start and kept 0600 next to the CA (<see cref="SecurityPaths.ServiceAccountKey"/>).
/// </summary>
public sealed class ServiceAccountTokens : IDisposable
{
    /// <summary>Upstream's issuer and API audience when nothing else is configured (kubeadm, k3s).</summary>
    public const string DefaultIssuer = "https://kubernetes.default.svc.cluster.local";

    public const string UserPrefix = "system:serviceaccount:";
    public const string AllServiceAccountsGroup = "system:serviceaccounts";

    private const string KubernetesClaim = "kubernetes.io";

    private readonly RSA _key;
    private readonly RsaSecurityKey _signingKey;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public ServiceAccountTokens(RSA key, string issuer, IReadOnlyList<string>? apiAudiences, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        ArgumentNullException.ThrowIfNull(time);
        _key = key;
        Issuer = issuer;
        ApiAudiences = apiAudiences is { Count: > 0 } ? apiAudiences : [issuer];
        Time = time;

        // The key id is the SHA-256 of the public key (upstream's keyIDFromPublicKey), so verifiers can pick the key.
        _signingKey = new RsaSecurityKey(key) { KeyId = Base64UrlEncoder.Encode(SHA256.HashData(key.ExportSubjectPublicKeyInfo())) };
    }

    public string Issuer { get; }

    /// <summary>What a token must be meant for to authenticate at this API (upstream's --api-audiences, default the issuer).</summary>
    public IReadOnlyList<string> ApiAudiences { get; }

    public TimeProvider Time { get; }

    public string KeyId => _signingKey.KeyId;

    public static string UserName(string ns, string name) => $"{UserPrefix}{ns}:{name}";

    public static string NamespaceGroup(string ns) => $"{AllServiceAccountsGroup}:{ns}";

    /// <summary>Reads the signing key (PKCS#8 PEM), or generates RSA-2048 and stores it 0600 on first start.</summary>
    public static ServiceAccountTokens LoadOrCreate(string keyPath, string issuer, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyPath);
        var rsa = RSA.Create();
        try
        {
            if (File.Exists(keyPath))
            {
                rsa.ImportFromPem(File.ReadAllText(keyPath));
            }
            else
            {
                rsa.KeySize = 2048;
                PrivateFile.WriteAllText(keyPath, rsa.ExportPkcs8PrivateKeyPem() + "\n");
            }

            return new ServiceAccountTokens(rsa, issuer, null, time);
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    public string Issue(ServiceAccountTokenClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var kubernetes = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["namespace"] = claims.Namespace,
            ["serviceaccount"] = new Dictionary<string, object> { ["name"] = claims.ServiceAccountName, ["uid"] = claims.ServiceAccountUid },
        };
        if (claims.PodName is not null && claims.PodUid is not null)
        {
            kubernetes["pod"] = new Dictionary<string, object> { ["name"] = claims.PodName, ["uid"] = claims.PodUid };
        }

        var descriptor = new SecurityTokenDescriptor
        {
            SigningCredentials = new SigningCredentials(_signingKey, SecurityAlgorithms.RsaSha256),
            Claims = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [JwtRegisteredClaimNames.Iss] = Issuer,
                [JwtRegisteredClaimNames.Sub] = claims.Subject,
                [JwtRegisteredClaimNames.Aud] = claims.Audiences.ToList(),
                [JwtRegisteredClaimNames.Exp] = claims.Expires.ToUnixTimeSeconds(),
                [JwtRegisteredClaimNames.Iat] = claims.IssuedAt.ToUnixTimeSeconds(),
                [JwtRegisteredClaimNames.Nbf] = claims.IssuedAt.ToUnixTimeSeconds(),
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString(),
                [KubernetesClaim] = kubernetes,
            },
        };
        return _handler.CreateToken(descriptor);
    }

    /// <summary>
    /// The claims of a token this issuer signed that is valid now (signature, iss, exp, nbf) and meant for one of
    /// <paramref name="audiences"/>; null for anything else (another issuer's token, a static token, a forgery).
    /// </summary>
    public async Task<ServiceAccountTokenClaims?> ValidateAsync(string token, IReadOnlyList<string> audiences)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(audiences);
        if (!_handler.CanReadToken(token))
        {
            return null;
        }

        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = _signingKey,
            ValidIssuer = Issuer,
            ValidAudiences = audiences,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],

            // Lifetime is checked below against our TimeProvider (testable, and with upstream's zero leeway on exp).
            ValidateLifetime = false,
            RequireExpirationTime = true,
        }).ConfigureAwait(false);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return null;
        }

        var now = Time.GetUtcNow();
        if (!jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out var exp) || now >= DateTimeOffset.FromUnixTimeSeconds(exp))
        {
            return null;
        }

        // nbf gets upstream's minute of leeway (clocks of other issuers' clients may run ahead).
        if (jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Nbf, out var nbf) && now + TimeSpan.FromMinutes(1) < DateTimeOffset.FromUnixTimeSeconds(nbf))
        {
            return null;
        }

        return Read(jwt, exp);
    }

    public void Dispose() => _key.Dispose();

    private static ServiceAccountTokenClaims? Read(JsonWebToken jwt, long exp)
    {
        if (!jwt.TryGetPayloadValue<JsonElement>(KubernetesClaim, out var kubernetes) || kubernetes.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var ns = String(kubernetes, "namespace");
        var sa = Object(kubernetes, "serviceaccount");
        var name = sa is { } s ? String(s, "name") : null;
        var uid = sa is { } u ? String(u, "uid") : null;
        if (ns is null || name is null || uid is null || jwt.Subject != UserName(ns, name))
        {
            return null;
        }

        var pod = Object(kubernetes, "pod");
        jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out var iat);
        return new ServiceAccountTokenClaims(
            ns,
            name,
            uid,
            pod is { } p ? String(p, "name") : null,
            pod is { } q ? String(q, "uid") : null,
            jwt.Audiences.ToList(),
            DateTimeOffset.FromUnixTimeSeconds(iat),
            DateTimeOffset.FromUnixTimeSeconds(exp));
    }

    private static JsonElement? Object(JsonElement parent, string name)
        => parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    private static string? String(JsonElement parent, string name)
        => parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
