using NodeAgent.Runtime.Images;
using NodeAgent.Runtime.Images.Distribution;

namespace NodeAgent.Runtime.Tests.Images.Distribution;

public sealed class RegistryHostsTests
{
    [Fact]
    public void Without_a_mirror_the_registry_itself_is_asked_over_https()
    {
        var hosts = new RegistryHosts(RegistryHostsConfig.Empty, []);

        var docker = Assert.Single(hosts.Resolve(ImageReference.Parse("busybox")));
        Assert.Equal("https://registry-1.docker.io/v2/", docker.ApiRoot.ToString());
        Assert.Equal("library/busybox", docker.Repository);
        Assert.False(docker.IsMirror);
        Assert.Equal(
            "https://registry-1.docker.io/v2/library/busybox/manifests/latest",
            docker.ManifestUri("latest").ToString());

        var quay = Assert.Single(hosts.Resolve(ImageReference.Parse("quay.io/a/b:1")));
        Assert.Equal("https://quay.io/v2/", quay.ApiRoot.ToString());
    }

    [Fact]
    public void Insecure_registries_use_plain_http()
    {
        var hosts = new RegistryHosts(RegistryHostsConfig.Empty, ["127.0.0.1:5000", "http://reg.local:8080/"]);

        Assert.Equal("http://127.0.0.1:5000/v2/", Assert.Single(hosts.Resolve(ImageReference.Parse("127.0.0.1:5000/a"))).ApiRoot.ToString());
        Assert.Equal("http://reg.local:8080/v2/", Assert.Single(hosts.Resolve(ImageReference.Parse("reg.local:8080/a"))).ApiRoot.ToString());
        Assert.Equal("https://127.0.0.1:5001/v2/", Assert.Single(hosts.Resolve(ImageReference.Parse("127.0.0.1:5001/a"))).ApiRoot.ToString());
    }

    [Fact]
    public void A_mirror_replaces_the_upstream_with_its_endpoints_in_order()
    {
        var hosts = new RegistryHosts(Config("""
            mirrors:
              registry.k8s.io:
                endpoint: ["http://127.0.0.1:1", "http://127.0.0.1:2"]
            """), []);

        var endpoints = hosts.Resolve(ImageReference.Parse("registry.k8s.io/pause:3.9"));

        Assert.Equal(["http://127.0.0.1:1/v2/", "http://127.0.0.1:2/v2/"], endpoints.Select(e => e.ApiRoot.ToString()));
        Assert.All(endpoints, e => Assert.True(e.IsMirror));
        Assert.All(endpoints, e => Assert.Equal("pause", e.Repository));
    }

    [Fact]
    public void The_upstream_is_asked_only_when_listed()
    {
        var hosts = new RegistryHosts(Config("""
            mirrors:
              docker.io:
                endpoint: ["http://127.0.0.1:1", "https://registry-1.docker.io"]
                rewrite: { "^library/(.*)$": "hub/$1" }
            """), []);

        var endpoints = hosts.Resolve(ImageReference.Parse("busybox"));

        Assert.Equal(2, endpoints.Count);
        Assert.Equal(("hub/busybox", true), (endpoints[0].Repository, endpoints[0].IsMirror));
        Assert.Equal(("library/busybox", false), (endpoints[1].Repository, endpoints[1].IsMirror));
    }

    [Fact]
    public void The_wildcard_mirror_serves_registries_without_their_own_entry()
    {
        var hosts = new RegistryHosts(Config("""
            mirrors:
              "*":
                endpoint: ["http://127.0.0.1:9"]
              quay.io:
                endpoint: ["http://127.0.0.1:8"]
            """), []);

        Assert.Equal("127.0.0.1:9", Assert.Single(hosts.Resolve(ImageReference.Parse("ghcr.io/a/b"))).Host);
        Assert.Equal("127.0.0.1:8", Assert.Single(hosts.Resolve(ImageReference.Parse("quay.io/a/b"))).Host);
    }

    [Fact]
    public void A_mirror_entry_without_endpoints_leaves_the_upstream()
    {
        var hosts = new RegistryHosts(Config("mirrors:\n  quay.io: {}\n"), []);

        Assert.Equal("https://quay.io/v2/", Assert.Single(hosts.Resolve(ImageReference.Parse("quay.io/a"))).ApiRoot.ToString());
    }

    [Fact]
    public void Configs_apply_to_the_host_an_endpoint_is_reached_at()
    {
        var hosts = new RegistryHosts(Config("""
            mirrors:
              docker.io:
                endpoint: ["http://127.0.0.1:5000"]
            configs:
              "127.0.0.1:5000":
                auth: { username: mirror-user, password: p }
              docker.io:
                auth: { username: hub-user, password: p }
            """), []);

        var endpoint = Assert.Single(hosts.Resolve(ImageReference.Parse("busybox")));

        Assert.Equal("mirror-user", endpoint.Settings?.Auth?.Username);
    }

    private static RegistryHostsConfig Config(string yaml) => RegistriesYaml.Parse(yaml, "registries.yaml");
}
