using System.Text;
using NodeAgent.Api.Registry.Listing;

namespace NodeAgent.Api.Tests.Registry.Listing;

public sealed class ContinueTokenTests
{
    private const string Prefix = "/registry/configmaps/";

    [Fact]
    public void A_token_carries_the_key_and_revision()
    {
        var token = ContinueToken.Encode(Prefix, "/registry/configmaps/default/cm-7", 42);
        Assert.Equal(("/registry/configmaps/default/cm-7", 42L), ContinueToken.Decode(Prefix, token));
        Assert.DoesNotContain('=', token);
    }

    [Fact]
    public void A_token_is_upstreams_json_shape()
    {
        var token = ContinueToken.Encode(Prefix, "/registry/configmaps/ns/a", 7);
        var base64 = token.Replace('-', '+').Replace('_', '/');
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight((base64.Length + 3) / 4 * 4, '=')));
        Assert.Equal("{\"v\":\"meta.k8s.io/v1\",\"rv\":7,\"start\":\"ns/a\\u0000\"}", json);
    }

    [Theory]
    [InlineData("{\"v\":\"meta.k8s.io/v1\",\"rv\":0,\"start\":\"a\\u0000\"}")]
    [InlineData("{\"v\":\"meta.k8s.io/v2\",\"rv\":3,\"start\":\"a\\u0000\"}")]
    [InlineData("{\"v\":\"meta.k8s.io/v1\",\"rv\":3,\"start\":\"../secrets/x\\u0000\"}")]
    [InlineData("{\"v\":\"meta.k8s.io/v1\",\"rv\":3,\"start\":\"\"}")]
    [InlineData("not json")]
    public void Bad_or_escaping_tokens_are_rejected(string json)
    {
        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.StartsWith("continue key is not valid", Assert.Throws<FormatException>(() => ContinueToken.Decode(Prefix, token)).Message);
        Assert.StartsWith("continue key is not valid", Assert.Throws<FormatException>(() => ContinueToken.Decode(Prefix, "%%%")).Message);
    }
}
