using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using NodeAgent.Api.Security;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Kubectl;

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

    [Fact]
    public async Task Admin_kubeconfigs_are_read_by_kubectl_with_token_or_client_certificate()
    {
        using var cts = TestDeadline.Seconds(30);
        using var ca = CertificateAuthority.Create("test-ca", DateTimeOffset.UtcNow);
        using var client = ca.IssueClientCertificate("jane", ["system:masters"], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var withToken = _dir.Combine("token.kubeconfig");
        var withCertificate = _dir.Combine("cert.kubeconfig");
        PrivateFile.WriteAllText(withToken, AdminKubeconfig.WithToken(new Uri("https://[::1]:6443"), ca.Certificate, "secret: token #1"));
        PrivateFile.WriteAllText(withCertificate, AdminKubeconfig.WithClientCertificate(new Uri("https://127.0.0.1:6443"), ca.Certificate, client));

        using var tokenKubectl = new KubectlRunner(withToken);
        using var token = await tokenKubectl.RunJsonAsync(["config", "view", "--raw"], cts.Token);
        using var certKubectl = new KubectlRunner(withCertificate);
        using var cert = await certKubectl.RunJsonAsync(["config", "view", "--raw"], cts.Token);

        var config = token.RootElement;
        Assert.Equal("nodeagent", config.GetProperty("current-context").GetString());
        var cluster = config.GetProperty("clusters")[0];
        Assert.Equal("nodeagent", cluster.GetProperty("name").GetString());
        Assert.Equal("https://[::1]:6443", cluster.GetProperty("cluster").GetProperty("server").GetString());
        var caPem = Encoding.ASCII.GetString(Convert.FromBase64String(cluster.GetProperty("cluster").GetProperty("certificate-authority-data").GetString()!));
        Assert.Equal(ca.Certificate.Thumbprint, X509Certificate2.CreateFromPem(caPem).Thumbprint);
        Assert.Equal("secret: token #1", config.GetProperty("users")[0].GetProperty("user").GetProperty("token").GetString());
        var context = config.GetProperty("contexts")[0];
        Assert.Equal("nodeagent", context.GetProperty("context").GetProperty("cluster").GetString());
        Assert.Equal("nodeagent", context.GetProperty("context").GetProperty("user").GetString());

        var user = cert.RootElement.GetProperty("users")[0].GetProperty("user");
        var certPem = Encoding.ASCII.GetString(Convert.FromBase64String(user.GetProperty("client-certificate-data").GetString()!));
        var keyPem = Encoding.ASCII.GetString(Convert.FromBase64String(user.GetProperty("client-key-data").GetString()!));
        using var read = X509Certificate2.CreateFromPem(certPem, keyPem);
        Assert.Equal(client.Thumbprint, read.Thumbprint);
        Assert.True(read.HasPrivateKey);
    }
}
