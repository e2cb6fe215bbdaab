using Microsoft.AspNetCore.Http;
using NodeAgent.Api.Security;

namespace NodeAgent.Api.Tests.Security;

public sealed class DiscoveryOnlyAuthorizerTests
{
    private static readonly ApiUser Admin = new("admin", ["system:masters", "system:authenticated"]);
    private static readonly ApiUser Bob = new("bob", ["dev", "system:authenticated"]);
    private static readonly DiscoveryOnlyAuthorizer Authorizer = new();

    [Theory]
    [InlineData("POST", "/api/v1/namespaces/default/pods")]
    [InlineData("DELETE", "/apis/apps/v1/namespaces/default/deployments/web")]
    [InlineData("GET", "/api/v1/secrets")]
    [InlineData("GET", "/metrics")]
    public void System_masters_may_do_everything(string method, string path)
        => Assert.True(Authorizer.IsAllowed(Admin, Request(method, path)));

    [Theory]
    [InlineData("GET", "/api")]
    [InlineData("GET", "/api/v1")]
    [InlineData("GET", "/apis")]
    [InlineData("GET", "/apis/apps")]
    [InlineData("GET", "/apis/apps/v1")]
    [InlineData("GET", "/version")]
    [InlineData("HEAD", "/version")]
    [InlineData("GET", "/openapi/v2")]
    [InlineData("GET", "/openapi/v3/apis/apps/v1")]
    public void Others_may_read_discovery(string method, string path)
        => Assert.True(Authorizer.IsAllowed(Bob, Request(method, path)));

    [Theory]
    [InlineData("GET", "/api/v1/pods")]
    [InlineData("GET", "/api/v1/namespaces/default/secrets")]
    [InlineData("GET", "/apis/apps/v1/deployments")]
    [InlineData("POST", "/api/v1/namespaces")]
    [InlineData("POST", "/api")]
    [InlineData("GET", "/metrics")]
    [InlineData("GET", "/")]
    [InlineData("GET", "/versions")]
    public void Others_may_not_touch_resources(string method, string path)
        => Assert.False(Authorizer.IsAllowed(Bob, Request(method, path)));

    private static HttpRequest Request(string method, string path)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        return context.Request;
    }
}
