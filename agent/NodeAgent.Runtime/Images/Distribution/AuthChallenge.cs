using System.Net.Http.Headers;
using System.Text;

namespace NodeAgent.Runtime.Images.Distribution;

/// <summary>
/// One <c>WWW-Authenticate</c> challenge (RFC 7235): a scheme and its auth-params, e.g.
/// <c>Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"</c>.
/// </summary>
public sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public const string Bearer = "Bearer";
    public const string Basic = "Basic";

    public bool IsBearer => string.Equals(Scheme, Bearer, StringComparison.OrdinalIgnoreCase);

    public bool IsBasic => string.Equals(Scheme, Basic, StringComparison.OrdinalIgnoreCase);

    public string? Realm => Parameters.GetValueOrDefault("realm");

    public string? Service => Parameters.GetValueOrDefault("service");

    public string? Scope => Parameters.GetValueOrDefault("scope");

    public string? Error => Parameters.GetValueOrDefault("error");

    /// <summary>The challenge to answer: Bearer if offered, else Basic, else null.</summary>
    public static AuthChallenge? Select(HttpHeaderValueCollection<AuthenticationHeaderValue> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var challenges = headers.Select(h => Parse(h.Scheme, h.Parameter)).ToList();
        return challenges.FirstOrDefault(c => c.IsBearer) ?? challenges.FirstOrDefault(c => c.IsBasic);
    }

    /// <summary>Parses the auth-params after the scheme: <c>key=token</c> or <c>key="quoted \" string"</c>, comma separated.</summary>
    public static AuthChallenge Parse(string scheme, string? parameters)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var text = parameters ?? string.Empty;
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i])))
            {
                i++;
            }

            var keyStart = i;
            while (i < text.Length && text[i] != '=' && text[i] != ',')
            {
                i++;
            }

            var key = text[keyStart..i].Trim();
            if (i >= text.Length || text[i] != '=')
            {
                continue; // a token68 or a stray word: not a parameter
            }

            i++;
            var value = new StringBuilder();
            if (i < text.Length && text[i] == '"')
            {
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    value.Append(text[i]);
                }

                i++;
            }
            else
            {
                for (; i < text.Length && text[i] != ','; i++)
                {
                    value.Append(text[i]);
                }
            }

            if (key.Length > 0)
            {
                result[key] = value.ToString().Trim();
            }
        }

        return new AuthChallenge(scheme, result);
    }
}
