using NodeAgent.Runtime.Images.Distribution;

namespace NodeAgent.Runtime.Tests.Images.Distribution;

public sealed class AuthChallengeTests
{
    [Fact]
    public void Parses_bearer_parameters_with_quoted_commas_and_escapes()
    {
        var challenge = AuthChallenge.Parse(
            "Bearer",
            "realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull,push\",error=insufficient_scope, note=\"say \\\"hi\\\"\"");

        Assert.True(challenge.IsBearer);
        Assert.Equal("https://auth.example/token", challenge.Realm);
        Assert.Equal("registry.example", challenge.Service);
        Assert.Equal("repository:a/b:pull,push", challenge.Scope);
        Assert.Equal("insufficient_scope", challenge.Error);
        Assert.Equal("say \"hi\"", challenge.Parameters["note"]);
    }

    [Fact]
    public void Prefers_bearer_over_basic()
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.Unauthorized);
        response.Headers.TryAddWithoutValidation("WWW-Authenticate", "Basic realm=\"Registry Realm\"");
        response.Headers.TryAddWithoutValidation("WWW-Authenticate", "Bearer realm=\"http://127.0.0.1:1/token\"");

        var challenge = AuthChallenge.Select(response.Headers.WwwAuthenticate);

        Assert.NotNull(challenge);
        Assert.True(challenge.IsBearer);
        Assert.Equal("http://127.0.0.1:1/token", challenge.Realm);
    }

    [Fact]
    public void Basic_challenges_keep_their_realm()
    {
        var challenge = AuthChallenge.Parse("basic", "realm=\"Registry Realm\"");

        Assert.True(challenge.IsBasic);
        Assert.Equal("Registry Realm", challenge.Realm);
        Assert.Null(challenge.Scope);
    }
}
