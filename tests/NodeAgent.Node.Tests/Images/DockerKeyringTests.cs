using System.Text;
using k8s.Models;
using NodeAgent.Node.Images;

namespace NodeAgent.Node.Tests.Images;

public sealed class DockerKeyringTests
{
    private static V1Secret Secret(string type, string key, string json) => new()
    {
        Metadata = new V1ObjectMeta { Name = "pull", NamespaceProperty = "default" },
        Type = type,
        Data = new Dictionary<string, byte[]> { [key] = Encoding.UTF8.GetBytes(json) },
    };

    private static string[] Users(DockerKeyring keyring, string image) => keyring.Lookup(image).Select(a => a.Username).ToArray();

    [Fact]
    public void The_longest_matching_key_comes_first_and_ports_must_agree()
    {
        var keyring = new DockerKeyring();
        keyring.Add("registry.example.com", "host-wide", "p");
        keyring.Add("https://registry.example.com/team/app", "repo", "p");
        keyring.Add("registry.example.com:5000", "port-5000", "p");
        keyring.Add("*.example.com", "glob", "p");

        Assert.Equal(["repo", "host-wide", "glob"], Users(keyring, "registry.example.com/team/app:1.0"));
        Assert.Equal(["host-wide", "glob"], Users(keyring, "registry.example.com/team/other"));
        Assert.Equal(["port-5000"], Users(keyring, "registry.example.com:5000/team/app@sha256:abc"));
        Assert.Equal(["glob"], Users(keyring, "mirror.example.com/x"));
        Assert.Empty(Users(keyring, "registry.example.com:5001/team/app"));
        Assert.Empty(Users(keyring, "a.b.example.com/x"));
    }

    [Fact]
    public void Docker_hub_keys_match_short_image_names()
    {
        var keyring = new DockerKeyring();
        keyring.Add("https://index.docker.io/v1/", "hub", "p");

        Assert.Equal(["hub"], Users(keyring, "busybox"));
        Assert.Equal(["hub"], Users(keyring, "library/busybox:1.36"));
        Assert.Equal(["hub"], Users(keyring, "docker.io/me/app"));
        Assert.Empty(Users(keyring, "quay.io/me/app"));
    }

    [Fact]
    public void Dockerconfigjson_and_dockercfg_secrets_give_credentials_and_auth_is_decoded()
    {
        var keyring = new DockerKeyring();
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("bob:pa:ss"));
        keyring.AddSecret(Secret(DockerKeyring.DockerConfigJsonType, ".dockerconfigjson", "{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"" + auth + "\"}}}"));
        keyring.AddSecret(Secret(DockerKeyring.DockerConfigType, ".dockercfg", """{"http://127.0.0.1:5001/v2/":{"username":"amy","password":"pw"}}"""));
        keyring.AddSecret(Secret("Opaque", ".dockerconfigjson", """{"auths":{"127.0.0.1:5000":{"username":"ignored"}}}"""));

        var bob = Assert.Single(keyring.Lookup("127.0.0.1:5000/app:1"));
        Assert.Equal(("bob", "pa:ss", "127.0.0.1:5000"), (bob.Username, bob.Password, bob.ServerAddress));
        Assert.Equal(["amy"], Users(keyring, "127.0.0.1:5001/app:1"));
        Assert.Equal(2, keyring.Count);
    }

    [Fact]
    public void A_secret_with_invalid_json_is_a_format_error()
    {
        var keyring = new DockerKeyring();

        var error = Assert.Throws<FormatException>(() => keyring.AddSecret(Secret(DockerKeyring.DockerConfigJsonType, ".dockerconfigjson", "{not json")));
        Assert.Contains("secret pull of type kubernetes.io/dockerconfigjson holds invalid JSON", error.Message, StringComparison.Ordinal);
    }
}
