using System.Net;
using k8s;
using NodeAgent.Api.Security;
using NodeAgent.Testing.Common;

namespace NodeAgent.Api.Tests.Security;

public sealed class CredentialFilesTests : IDisposable
{
    private readonly TempDirectory _dir = new(TestIds.NewPrefix());

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Admin_token_is_32_random_bytes_base64url_kept_private_and_reused()
    {
        var path = _dir.Combine("admin.token");

        var token = AdminToken.LoadOrCreate(path);

        Assert.Matches("^[A-Za-z0-9_-]{43}$", token);
        Assert.Equal(PrivateFile.OwnerOnly, File.GetUnixFileMode(path));
        Assert.Equal(token, AdminToken.LoadOrCreate(path));
        Assert.NotEqual(token, AdminToken.Generate());
    }

    [Fact]
    public void Private_file_replaces_content_and_leaves_no_temp_file()
    {
        var path = _dir.Combine("sub", "secret");

        PrivateFile.WriteAllText(path, "one");
        PrivateFile.WriteAllText(path, "two");

        Assert.Equal("two", File.ReadAllText(path));
        Assert.Equal(PrivateFile.OwnerOnly, File.GetUnixFileMode(path));
        Assert.Equal([path], Directory.GetFiles(_dir.Combine("sub")));
    }

    [Fact]
    public void Static_token_file_reads_upstream_csv()
    {
        const string Csv = "# comment\n" +
                           "tok1,alice,1001,\"dev,ops\"\n" +
                           "\n" +
                           "tok2,bob,1002\r\n" +
                           "tok3,carol,1003,system:masters\n";

        var tokens = StaticTokenFile.Parse(Csv, "tokens.csv");

        Assert.Equal(
            [
                "tok1 alice 1001 dev|ops",
                "tok2 bob 1002 ",
                "tok3 carol 1003 system:masters",
            ],
            tokens.Select(t => $"{t.Token} {t.User} {t.Uid} {string.Join('|', t.Groups)}"));
    }

    [Theory]
    [InlineData("tok1,alice\n", "tokens.csv:1: want token,user,uid")]
    [InlineData("ok,a,1\ntok1,alice,1,\"dev\n", "tokens.csv:2: unterminated quote")]
    [InlineData("tok1,alice,1\ntok1,bob,2\n", "tokens.csv:2: duplicate token")]
    [InlineData(",alice,1\n", "tokens.csv:1: want token,user,uid")]
    public void Static_token_file_errors_name_the_line(string csv, string expected)
    {
        var error = Assert.Throws<FormatException>(() => StaticTokenFile.Parse(csv, "tokens.csv"));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_static_token_file_means_no_tokens()
        => Assert.Empty(StaticTokenFile.LoadIfExists(_dir.Combine("tokens.csv")));

    [Theory]
    [InlineData("127.0.0.1", "https://127.0.0.1:6443/")]
    [InlineData("0.0.0.0", "https://127.0.0.1:6443/")]
    [InlineData("::", "https://[::1]:6443/")]
    [InlineData("::1", "https://[::1]:6443/")]
    [InlineData("192.168.1.5", "https://192.168.1.5:6443/")]
    public void Kubeconfig_server_is_reachable_from_the_bind_address(string bind, string expected)
        => Assert.Equal(new Uri(expected), AdminKubeconfig.ServerUri(IPAddress.Parse(bind), 6443));

    [Fact]
    public async Task Admin_kubeconfig_is_read_by_the_client_library_with_our_ca_and_token()
    {
        using var ca = CertificateAuthority.Create("test-ca", DateTimeOffset.UtcNow);
        var path = _dir.Combine("admin.kubeconfig");
        PrivateFile.WriteAllText(path, AdminKubeconfig.WithToken(new Uri("https://127.0.0.1:6443"), ca.Certificate, "secret-token"));

        var config = await KubernetesClientConfiguration.BuildConfigFromConfigFileAsync(new FileInfo(path), currentContext: null);

        Assert.Equal("https://127.0.0.1:6443", config.Host);
        Assert.Equal("secret-token", config.AccessToken);
        Assert.Equal("nodeagent", config.CurrentContext);
        Assert.Equal(ca.Certificate.Thumbprint, Assert.Single(config.SslCaCerts).Thumbprint);
    }
}
