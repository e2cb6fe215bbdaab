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
        => Assert.True(Allowed(Admin, method, path));

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
        => Assert.True(Allowed(Bob, method, path));

    [Theory]
    [InlineData("GET", "/api/v1/pods")]
    [InlineData("GET", "/api/v1/namespaces/default/secrets")]
    [InlineData("GET", "/apis/apps/v1/deployments")]
    [InlineData("POST", "/api/v1/namespaces")]
    [InlineData("POST", "/api")]
    [InlineData("GET", "/metrics")]
    [InlineData("GET", "/")]
    [InlineData("GET", "/versions")]
    [InlineData("GET", "/api/v1/namespaces/default")]
    [InlineData("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews")]
    public void Others_may_not_touch_resources(string method, string path)
        => Assert.False(Allowed(Bob, method, path));

    [Theory]
    [InlineData("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")]
    [InlineData("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")]
    [InlineData("/apis/authentication.k8s.io/v1/selfsubjectreviews")]
    [InlineData("/apis/authentication.k8s.io/v1beta1/selfsubjectreviews")]
    public void Every_authenticated_user_may_create_the_self_reviews(string path)
        => Assert.True(Allowed(Bob, "POST", path));

    [Fact]
    public void A_user_without_system_authenticated_gets_nothing()
        => Assert.False(Allowed(new ApiUser("ghost", []), "GET", "/api"));

    [Theory]
    [InlineData("GET", "/api/v1/namespaces/default/pods/web", "get", "", "pods", "", "web", "default")]
    [InlineData("GET", "/api/v1/namespaces/default/pods", "list", "", "pods", "", "", "default")]
    [InlineData("GET", "/api/v1/watch/namespaces/default/pods", "watch", "", "pods", "", "", "default")]
    [InlineData("DELETE", "/apis/apps/v1/namespaces/x/deployments", "deletecollection", "apps", "deployments", "", "", "x")]
    [InlineData("PUT", "/apis/apps/v1/namespaces/x/deployments/web/scale", "update", "apps", "deployments", "scale", "web", "x")]
    [InlineData("GET", "/api/v1/namespaces/kube-system", "get", "", "namespaces", "", "kube-system", "kube-system")]
    [InlineData("PUT", "/api/v1/namespaces/gone/finalize", "update", "", "namespaces", "finalize", "gone", "gone")]
    [InlineData("POST", "/api/v1/nodes", "create", "", "nodes", "", "", "")]
    public void Requests_become_resource_attributes_as_upstream_reads_them(
        string method, string path, string verb, string group, string resource, string subresource, string name, string ns)
    {
        var attributes = AuthorizationAttributes.FromRequest(Bob, Request(method, path));
        Assert.True(attributes.IsResourceRequest);
        Assert.Equal((verb, group, resource, subresource, name, ns), (attributes.Verb, attributes.ApiGroup, attributes.Resource, attributes.Subresource, attributes.Name, attributes.Namespace));
    }

    [Fact]
    public void Rules_review_lists_what_the_decision_uses()
    {
        var rules = Authorizer.RulesFor(Bob);
        Assert.Contains(rules.NonResourceRules, r => r.NonResourceUrls.Contains("/api/*") && r.Verbs.SequenceEqual(["get"]));
        Assert.DoesNotContain(rules.ResourceRules, r => r.Verbs.Contains("get"));
        Assert.Equal(["*"], Assert.Single(Authorizer.RulesFor(Admin).ResourceRules).Resources);
    }

    [Fact]
    public void Denied_requests_are_worded_as_upstream()
    {
        Assert.Equal(
            "User \"bob\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"",
            AuthorizationAttributes.FromRequest(Bob, Request("GET", "/api/v1/namespaces/default/pods")).ForbiddenMessage());
        Assert.Equal(
            "User \"bob\" cannot get resource \"deployments/scale\" in API group \"apps\" at the cluster scope",
            new AuthorizationAttributes(Bob, "get", true, ApiGroup: "apps", Resource: "deployments", Subresource: "scale").ForbiddenMessage());
        Assert.Equal("User \"bob\" cannot post path \"/api\"", AuthorizationAttributes.FromRequest(Bob, Request("POST", "/api")).ForbiddenMessage());
    }

    private static bool Allowed(ApiUser user, string method, string path)
        => Authorizer.Authorize(AuthorizationAttributes.FromRequest(user, Request(method, path))).Allowed;

    private static HttpRequest Request(string method, string path)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        return context.Request;
    }
}
