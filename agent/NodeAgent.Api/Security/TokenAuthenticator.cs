using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace NodeAgent.Api.Security;

/// <summary>
/// <c>Authorization: Bearer TOKEN</c> against a fixed set of tokens. Every known token is compared,
/// in constant time, with the SHA-256 of the presented one, so neither where a guess differs nor
/// which token it resembles shows in the response time.
/// </summary>
public sealed class TokenAuthenticator : IApiAuthenticator
{
    private readonly (byte[] Hash, ApiUser User)[] _tokens;

    public TokenAuthenticator(IEnumerable<StaticToken> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        _tokens = tokens
            .Select(t => (Hash(t.Token), new ApiUser(t.User, WithAuthenticated(t.Groups))))
            .ToArray();
    }

    public ValueTask<ApiUser?> AuthenticateAsync(HttpContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var token = BearerToken(context.Request.Headers[HeaderNames.Authorization].ToString());
        return ValueTask.FromResult(token is null ? null : Find(token));
    }

    /// <summary>The token of a <c>Bearer</c> header (scheme case-insensitive, as upstream), else null.</summary>
    public static string? BearerToken(string header)
    {
        const string Scheme = "Bearer ";
        if (header is null || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header[Scheme.Length..].Trim();
        return token.Length == 0 ? null : token;
    }

    /// <summary>Every authenticated user is in <c>system:authenticated</c> (upstream adds it the same way).</summary>
    public static IReadOnlyList<string> WithAuthenticated(IEnumerable<string> groups)
        => groups.Append(ApiGroups.Authenticated).Distinct(StringComparer.Ordinal).ToList();

    private ApiUser? Find(string token)
    {
        var presented = Hash(token);
        ApiUser? found = null;
        foreach (var (hash, user) in _tokens)
        {
            // No early exit: the loop's length does not depend on which token matched.
            if (CryptographicOperations.FixedTimeEquals(hash, presented))
            {
                found = user;
            }
        }

        return found;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
