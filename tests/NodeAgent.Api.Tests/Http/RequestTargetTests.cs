using System.Net;
using NodeAgent.Api.Http;
using NodeAgent.Api.Resources;
using NodeAgent.Storage;

namespace NodeAgent.Api.Tests.Http;

public sealed class RequestTargetTests
{
    private static readonly IReadOnlyList<ResourceDefinition> Resources =
        BuiltinResources.All(NodeAgent.Api.Tests.Resources.Core.StrategyKit.UnitContext());

    private static RequestTarget? Parse(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return RequestTarget.Parse(Resources, segments[0] == "api", segments.Skip(1).ToList());
    }

    [Theory]
    [InlineData("/api/v1/namespaces/ns1/pods", "pods", "ns1", null, null)]
    [InlineData("/api/v1/namespaces/ns1/pods/p", "pods", "ns1", "p", null)]
    [InlineData("/api/v1/namespaces/ns1/pods/p/status", "pods", "ns1", "p", "status")]
    [InlineData("/api/v1/pods", "pods", null, null, null)]
    [InlineData("/api/v1/namespaces", "namespaces", null, null, null)]
    [InlineData("/api/v1/namespaces/ns1", "namespaces", null, "ns1", null)]
    [InlineData("/api/v1/namespaces/ns1/status", "namespaces", null, "ns1", "status")]
    [InlineData("/api/v1/nodes/n1/status", "nodes", null, "n1", "status")]
    [InlineData("/apis/apps/v1/namespaces/ns1/deployments/web/scale", "deployments", "ns1", "web", "scale")]
    [InlineData("/apis/apps/v1/deployments", "deployments", null, null, null)]
    public void Parses_resource_urls(string path, string plural, string? ns, string? name, string? subresource)
    {
        var target = Parse(path);

        Assert.NotNull(target);
        Assert.Equal(plural, target.Resource.Plural);
        Assert.Equal(ns, target.Namespace);
        Assert.Equal(name, target.Name);
        Assert.Equal(subresource, target.Subresource);
        Assert.False(target.WatchPrefix);
    }

    [Fact]
    public void The_legacy_watch_prefix_is_recognised()
    {
        var target = Parse("/api/v1/watch/namespaces/ns1/pods/p");

        Assert.NotNull(target);
        Assert.True(target.WatchPrefix);
        Assert.Equal("p", target.Name);
    }

    [Theory]
    [InlineData("/api/v1/widgets")]
    [InlineData("/api/v2/pods")]
    [InlineData("/apis/apps/v1/namespaces/ns1/pods")]
    [InlineData("/api/v1/pods/p")]
    [InlineData("/api/v1/namespaces/ns1/nodes")]
    [InlineData("/api/v1/namespaces/ns1/pods/p/status/extra")]
    public void Urls_naming_no_resource_are_null(string path) => Assert.Null(Parse(path));
}
