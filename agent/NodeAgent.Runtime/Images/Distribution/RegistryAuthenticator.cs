using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Images.Distribution;

/// <summary>
/// Answers registry auth challenges. Remembers each host's challenge so later requests authenticate
/// up front (no 401 round trip per blob), and caches bearer tokens per (host, scope, credentials)
/// until shortly before they expire. A registry token from the caller is sent as a bearer as is.
/// </summary>
internal sealed class RegistryAuthenticator(TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExpirySlack = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, AuthChallenge> _challenges = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<(string Host, string Scope, string Credentials), CachedToken> _tokens = new();

    /// <summary>The header to send before any challenge, or null when the host has not asked for auth yet.</summary>
    public async ValueTask<AuthenticationHeaderValue?> PrepareAsync(HttpClient http, RegistryEndpoint endpoint, RegistryAuth? auth, CancellationToken cancellationToken)
    {
        if (auth?.RegistryToken is { } registryToken)
        {
            return new AuthenticationHeaderValue(AuthChallenge.Bearer, registryToken);
        }

        return _challenges.TryGetValue(endpoint.Host, out var challenge)
            ? await AnswerAsync(http, endpoint, challenge, DefaultScope(endpoint), auth, refresh: false, cancellationToken).ConfigureAwait(false)
            : null;
    }

    /// <summary>Answers the challenge of a 401 with fresh credentials (a new token, not a cached one).</summary>
    public async Task<AuthenticationHeaderValue> RespondAsync(
        HttpClient http, RegistryEndpoint endpoint, HttpResponseMessage unauthorized, RegistryAuth? auth, CancellationToken cancellationToken)
    {
        if (auth?.RegistryToken is not null)
        {
            throw Rejected(endpoint, auth);
        }

        var challenge = AuthChallenge.Select(unauthorized.Headers.WwwAuthenticate)
            ?? throw new RegistryException(
                RuntimeErrorKind.Unauthenticated,
                endpoint.Host,
                $"registry {endpoint.Host} answered 401 Unauthorized without a Basic or Bearer challenge");
        _challenges[endpoint.Host] = challenge;
        return await AnswerAsync(http, endpoint, challenge, challenge.Scope ?? DefaultScope(endpoint), auth, refresh: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The error for a registry that still says 401 after we answered its challenge.</summary>
    public static RegistryException Rejected(RegistryEndpoint endpoint, RegistryAuth? auth)
        => auth is null || (auth.Username is null && auth.IdentityToken is null && auth.RegistryToken is null)
            ? new RegistryException(
                RuntimeErrorKind.Unauthenticated,
                endpoint.Host,
                $"registry {endpoint.Host} requires authentication for {endpoint.Repository}: no credentials were given")
            : new RegistryException(
                RuntimeErrorKind.Unauthenticated,
                endpoint.Host,
                $"authentication failed for registry {endpoint.Host} as {Who(auth)}: the registry rejected the credentials");

    private async ValueTask<AuthenticationHeaderValue> AnswerAsync(
        HttpClient http, RegistryEndpoint endpoint, AuthChallenge challenge, string scope, RegistryAuth? auth, bool refresh, CancellationToken cancellationToken)
    {
        if (challenge.IsBasic)
        {
            if (auth?.Username is null)
            {
                throw Rejected(endpoint, auth);
            }

            var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{auth.Username}:{auth.Password}"));
            return new AuthenticationHeaderValue(AuthChallenge.Basic, basic);
        }

        var key = (endpoint.Host, scope, CredentialsKey(auth));
        if (!refresh && _tokens.TryGetValue(key, out var cached) && cached.ExpiresAt > time.GetUtcNow())
        {
            return new AuthenticationHeaderValue(AuthChallenge.Bearer, cached.Token);
        }

        var token = await FetchTokenAsync(http, endpoint, challenge, scope, auth, cancellationToken).ConfigureAwait(false);
        _tokens[key] = token;
        return new AuthenticationHeaderValue(AuthChallenge.Bearer, token.Token);
    }

    private async Task<CachedToken> FetchTokenAsync(
        HttpClient http, RegistryEndpoint endpoint, AuthChallenge challenge, string scope, RegistryAuth? auth, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(challenge.Realm, UriKind.Absolute, out var realm) || realm.Scheme is not ("http" or "https"))
        {
            throw new RegistryException(
                RuntimeErrorKind.Invalid, endpoint.Host, $"registry {endpoint.Host} sent a Bearer challenge without a usable realm URL ('{challenge.Realm}')");
        }

        var realmName = realm.GetLeftPart(UriPartial.Path);
        using var request = auth?.IdentityToken is { } refreshToken
            ? RefreshTokenRequest(realm, challenge.Service, scope, refreshToken)
            : TokenRequest(realm, challenge.Service, scope, auth);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new RegistryException(
                RuntimeErrorKind.Unauthenticated,
                endpoint.Host,
                auth is null
                    ? $"registry {endpoint.Host} requires authentication for {endpoint.Repository}: its token server {realmName} refused an anonymous token ({(int)response.StatusCode})"
                    : $"authentication failed for registry {endpoint.Host} as {Who(auth)}: its token server {realmName} rejected the credentials ({(int)response.StatusCode})");
        }

        if (RegistryStatus.IsTransient(response.StatusCode))
        {
            throw new TransientRegistryFault($"token server {realm.Authority} answered {(int)response.StatusCode} {response.ReasonPhrase}", RegistryStatus.RetryAfter(response, time));
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new RegistryException(
                RuntimeErrorKind.Unauthenticated,
                endpoint.Host,
                $"registry {endpoint.Host}: token server {realmName} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var token = ParseToken(body) ?? throw new RegistryException(
            RuntimeErrorKind.Invalid, endpoint.Host, $"registry {endpoint.Host}: token server {realmName} sent no token");
        RegistryLog.TokenFetched(logger, endpoint.Host, scope, realmName, token.Lifetime);
        return new CachedToken(token.Token, time.GetUtcNow() + token.Lifetime - ExpirySlack);
    }

    private static HttpRequestMessage TokenRequest(Uri realm, string? service, string scope, RegistryAuth? auth)
    {
        var query = new StringBuilder(realm.Query.TrimStart('?'));
        if (service is not null)
        {
            AppendQuery(query, "service", service);
        }

        foreach (var part in scope.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            AppendQuery(query, "scope", part);
        }

        var request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(realm) { Query = query.ToString() }.Uri);
        if (auth?.Username is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(
                AuthChallenge.Basic, Convert.ToBase64String(Encoding.UTF8.GetBytes($"{auth.Username}:{auth.Password}")));
        }

        return request;
    }

    /// <summary>Docker's identity-token flow (OAuth2 refresh_token grant).</summary>
    private static HttpRequestMessage RefreshTokenRequest(Uri realm, string? service, string scope, string refreshToken)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "refresh_token"),
            new("refresh_token", refreshToken),
            new("client_id", "nodeagent"),
            new("scope", scope),
        };
        if (service is not null)
        {
            form.Add(new("service", service));
        }

        return new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
    }

    private static void AppendQuery(StringBuilder query, string key, string value)
        => query.Append(query.Length == 0 ? string.Empty : "&").Append(key).Append('=').Append(Uri.EscapeDataString(value));

    private static (string Token, TimeSpan Lifetime)? ParseToken(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var token = root.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()
                : root.TryGetProperty("access_token", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()
                : null;
            var lifetime = root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds)
                : DefaultTokenLifetime;
            return string.IsNullOrEmpty(token) ? null : (token, lifetime);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string DefaultScope(RegistryEndpoint endpoint) => $"repository:{endpoint.Repository}:pull";

    /// <summary>Tokens are never shared between different credentials (or with anonymous pulls).</summary>
    private static string CredentialsKey(RegistryAuth? auth)
        => auth is null
            ? string.Empty
            : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{auth.Username}\0{auth.Password}\0{auth.IdentityToken}")));

    private static string Who(RegistryAuth auth) => auth.Username is { } user ? $"user '{user}'" : "the given token";

    private sealed record CachedToken(string Token, DateTimeOffset ExpiresAt);
}
