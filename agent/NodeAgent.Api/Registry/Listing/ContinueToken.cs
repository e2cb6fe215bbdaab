using System.Text.Json;

namespace NodeAgent.Api.Registry.Listing;

/// <summary>
/// The opaque <c>continue</c> of a paged list, in upstream's shape: base64url of
/// <c>{"v":"meta.k8s.io/v1","rv":R,"start":"&lt;key after the prefix&gt;\u0000"}</c>. R is the revision every page
/// is read at, so the pages form one snapshot; -1 means "continue at the latest revision" (the token upstream
/// hands out with a 410 for an expired one).
/// </summary>
internal static partial class ContinueToken
{
    private const string Version = "meta.k8s.io/v1";

    /// <summary>A token that continues after <paramref name="lastKey"/> (a key under <paramref name="prefix"/>) at <paramref name="revision"/>.</summary>
    public static string Encode(string prefix, string lastKey, long revision)
    {
        if (!lastKey.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"{lastKey} is not under {prefix}", nameof(lastKey));
        }

        var token = new Payload { V = Version, Rv = revision, Start = lastKey[prefix.Length..] + "\0" };
        return Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(token, PayloadContext.Default.Payload))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The key to continue after and the revision; a bad token throws <see cref="FormatException"/> (upstream's messages).</summary>
    public static (string StartAfterKey, long Revision) Decode(string prefix, string token)
    {
        Payload? payload;
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            payload = JsonSerializer.Deserialize(Convert.FromBase64String(base64), PayloadContext.Default.Payload);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw new FormatException($"continue key is not valid: {e.Message}");
        }

        if (payload is null || payload.V != Version)
        {
            throw new FormatException($"continue key is not valid: server does not recognize this encoded version \"{payload?.V}\"");
        }

        if (payload.Rv == 0)
        {
            throw new FormatException("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        }

        if (string.IsNullOrEmpty(payload.Start) || !payload.Start.EndsWith('\0'))
        {
            throw new FormatException("continue key is not valid: encoded start key empty (version meta.k8s.io/v1)");
        }

        // Never let a token reach outside the prefix ("../secrets/…").
        var relative = payload.Start[..^1];
        if (relative.Length == 0 || relative.StartsWith('/') || relative.Split('/').Any(p => p is "." or ".." || p.Length == 0))
        {
            throw new FormatException($"continue key is not valid: {payload.Start}");
        }

        return (prefix + relative, payload.Rv);
    }

    internal sealed class Payload
    {
        [System.Text.Json.Serialization.JsonPropertyName("v")]
        public string? V { get; set; }

        [System.Text.Json.Serialization.JsonPropertyName("rv")]
        public long Rv { get; set; }

        [System.Text.Json.Serialization.JsonPropertyName("start")]
        public string? Start { get; set; }
    }

    [System.Text.Json.Serialization.JsonSerializable(typeof(Payload))]
    internal sealed partial class PayloadContext : System.Text.Json.Serialization.JsonSerializerContext;
}
