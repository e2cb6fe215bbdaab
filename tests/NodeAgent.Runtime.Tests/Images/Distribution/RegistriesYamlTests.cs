using NodeAgent.Runtime.Images.Distribution;
using NodeAgent.Testing.Common;

namespace NodeAgent.Runtime.Tests.Images.Distribution;

public sealed class RegistriesYamlTests
{
    [Fact]
    public void Reads_mirrors_and_configs_in_k3s_format()
    {
        using var dir = new TempDirectory("registries-yaml");
        File.WriteAllText(dir.Combine("ca.pem"), "placeholder");
        var yaml = """
            mirrors:
              docker.io:
                endpoint:
                  - "http://127.0.0.1:5000"
                  - "https://mirror.example:8443/prefix"
                  - "https://registry-1.docker.io/v2"
              registry.k8s.io:
                endpoint: ["http://127.0.0.1:5001/"]
                rewrite:
                  "^pause$": "mirrored/pause"
            configs:
              "127.0.0.1:5000":
                auth:
                  username: alice
                  password: s3cret
              mirror.example:8443:
                auth:
                  auth: Ym9iOmh1bnRlcjI=
                tls:
                  ca_file: ca.pem
                  insecure_skip_verify: false
              "https://token.example":
                auth: { identity_token: idt }
            """;

        var config = RegistriesYaml.Parse(yaml, "registries.yaml", dir.Path);

        var docker = config.Mirrors["docker.io"];
        Assert.Equal(
            ["http://127.0.0.1:5000/v2/", "https://mirror.example:8443/prefix/v2/", "https://registry-1.docker.io/v2/"],
            docker.Endpoints.Select(e => e.ToString()));
        Assert.Empty(docker.Rewrites);
        var k8s = config.Mirrors["registry.k8s.io"];
        Assert.Equal("http://127.0.0.1:5001/v2/", Assert.Single(k8s.Endpoints).ToString());
        Assert.Equal(new RegistryRewrite("^pause$", "mirrored/pause"), Assert.Single(k8s.Rewrites));

        Assert.Equal(new RegistryAuth("alice", "s3cret"), config.Configs["127.0.0.1:5000"].Auth);
        Assert.Null(config.Configs["127.0.0.1:5000"].Tls);
        Assert.Equal(new RegistryAuth("bob", "hunter2"), config.Configs["mirror.example:8443"].Auth);
        Assert.Equal(new RegistryTlsSettings(dir.Combine("ca.pem"), null, null, false), config.Configs["mirror.example:8443"].Tls);
        Assert.Equal(new RegistryAuth(IdentityToken: "idt"), config.Configs["token.example"].Auth);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing configured\n")]
    [InlineData("mirrors:\nconfigs:\n")]
    [InlineData("mirrors: {}\nconfigs: {}\n")]
    public void Empty_documents_configure_nothing(string yaml)
    {
        var config = RegistriesYaml.Parse(yaml, "registries.yaml");

        Assert.Empty(config.Mirrors);
        Assert.Empty(config.Configs);
    }

    [Theory]
    [InlineData("mirrors: {}\nmirror: {}\n", 2, 1, "unknown key \"mirror\" in the top level (expected: mirrors, configs)")]
    [InlineData("mirrors:\n  docker.io:\n    endpoints: [\"http://a\"]\n", 3, 5, "unknown key \"endpoints\" in mirrors.\"docker.io\" (expected: endpoint, rewrite)")]
    [InlineData("mirrors:\n  docker.io:\n    endpoint:\n      - \"ftp://a\"\n", 4, 9, "endpoint \"ftp://a\" is not an http:// or https:// URL")]
    [InlineData("mirrors:\n  docker.io:\n    endpoint: {a: b}\n", 3, 15, "mirrors.\"docker.io\".endpoint must be a list")]
    [InlineData("mirrors:\n  docker.io:\n    rewrite:\n      \"([\": x\n", 4, 13, "rewrite pattern \"([\" is not a valid regular expression")]
    [InlineData("mirrors:\n  \"bad host!\":\n    endpoint: []\n", 3, 5, "\"bad host!\" is not a registry host[:port]")]
    [InlineData("mirrors: [a]\n", 1, 10, "mirrors must be a mapping")]
    [InlineData("configs:\n  h:\n    auth:\n      user: x\n", 4, 7, "unknown key \"user\" in configs.\"h\".auth")]
    [InlineData("configs:\n  h:\n    auth:\n      auth: \"!!!\"\n", 4, 13, "auth is not base64 of user:password")]
    [InlineData("configs:\n  h:\n    tls:\n      insecure_skip_verify: maybe\n", 4, 29, "insecure_skip_verify must be true or false")]
    [InlineData("configs:\n  h:\n    tls:\n      ca_file: /nonexistent/ca.pem\n", 4, 16, "ca_file \"/nonexistent/ca.pem\" does not exist")]
    [InlineData("mirrors:\n  docker.io:\n    endpoint: [\"http://a\"\n", 4, 1, "")]
    [InlineData("mirrors:\n  docker.io: {}\n  docker.io: {}\n", 3, 3, "")]
    [InlineData("mirrors:\n\tdocker.io: {}\n", 2, 1, "tabs are not allowed in YAML indentation; use spaces")]
    public void Errors_name_file_line_and_column(string yaml, int line, int column, string reason)
    {
        var e = Assert.Throws<RegistryConfigException>(() => RegistriesYaml.Parse(yaml, "/etc/nodeagent/registries.yaml"));

        Assert.StartsWith($"/etc/nodeagent/registries.yaml:{line}:{column}: {reason}", e.Message, StringComparison.Ordinal);
        Assert.Equal(line, e.Line);
    }

    [Fact]
    public void Cert_and_key_come_together()
    {
        using var dir = new TempDirectory("registries-yaml");
        File.WriteAllText(dir.Combine("cert.pem"), "placeholder");
        var yaml = "configs:\n  h:\n    tls:\n      cert_file: cert.pem\n";

        var e = Assert.Throws<RegistryConfigException>(() => RegistriesYaml.Parse(yaml, "r.yaml", dir.Path));

        Assert.Equal("r.yaml:4:18: cert_file and key_file must be given together", e.Message);
    }

    [Fact]
    public async Task Load_names_the_file_in_errors()
    {
        using var cts = TestDeadline.Seconds(60);
        using var dir = new TempDirectory("registries-yaml");
        var path = dir.Combine("registries.yaml");
        await File.WriteAllTextAsync(path, "mirrors:\n  docker.io:\n    endpoint: [\"http://127.0.0.1:5000\"]\n    bogus: 1\n", cts.Token);

        var e = await Assert.ThrowsAsync<RegistryConfigException>(() => RegistriesYaml.LoadAsync(path, cts.Token));

        Assert.StartsWith($"{path}:4:5: unknown key \"bogus\"", e.Message, StringComparison.Ordinal);
    }
}
