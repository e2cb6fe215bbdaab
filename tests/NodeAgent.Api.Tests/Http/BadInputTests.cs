using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NodeAgent.Api.Tests.Fixtures;
using NodeAgent.Testing.Common;

namespace NodeAgent.Api.Tests.Http;

/// <summary>Every rejected request answers a Status with the upstream reason, code, message and causes.</summary>
public sealed class BadInputTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    private static void AssertStatus(JsonObject status, int code, string reason, string? message = null)
    {
        Assert.Equal("Status", status["kind"]!.GetValue<string>());
        Assert.Equal("Failure", status["status"]!.GetValue<string>());
        Assert.Equal(code, status["code"]!.GetValue<int>());
        Assert.Equal(reason, status["reason"]!.GetValue<string>());
        if (message is not null)
        {
            Assert.Equal(message, status["message"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task An_invalid_name_is_422_with_a_cause_at_metadata_name()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);

        var status = await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}}""", HttpStatusCode.UnprocessableEntity, cts.Token);

        AssertStatus(status, 422, "Invalid");
        Assert.StartsWith("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var cause = Assert.Single(status["details"]!["causes"]!.AsArray())!;
        Assert.Equal("FieldValueInvalid", cause["reason"]!.GetValue<string>());
        Assert.Equal("metadata.name", cause["field"]!.GetValue<string>());
        Assert.Equal("ConfigMap", status["details"]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task Several_metadata_errors_are_listed_in_brackets()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);
        var body = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"bad key!":"v","ok":"bad value!"}},"spec":{}}""";

        var status = await api.SendJsonAsync(HttpMethod.Post, $"apis/apps/v1/namespaces/{ns}/deployments", body, HttpStatusCode.UnprocessableEntity, cts.Token);

        AssertStatus(status, 422, "Invalid");
        var message = status["message"]!.GetValue<string>();
        Assert.StartsWith("Deployment.apps \"\" is invalid: [metadata.name: Required value: name or generateName is required, metadata.labels: Invalid value: \"bad key!\"", message, StringComparison.Ordinal);
        var fields = status["details"]!["causes"]!.AsArray().Select(c => c!["field"]!.GetValue<string>()).ToList();
        // Metadata errors first, then the kind's own (an empty deployment spec lacks selector and template).
        Assert.Equal(["metadata.name", "metadata.labels", "metadata.labels", "spec.selector", "spec.template"], fields);
        Assert.Equal("apps", status["details"]!["group"]!.GetValue<string>());
    }

    [Fact]
    public async Task Malformed_json_is_400_with_line_and_column()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);

        var status = await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps",
            "{\"apiVersion\":\"v1\",\n \"kind\":\"ConfigMap\",\n \"metadata\":{\"name\":\"x\",}}", HttpStatusCode.BadRequest, cts.Token);

        AssertStatus(status, 400, "BadRequest");
        Assert.StartsWith("json parse error at line 3, column ", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_yaml_is_400_with_its_line()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);
        var yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n   bad: [\n";

        var status = await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", yaml, HttpStatusCode.BadRequest, cts.Token, "application/yaml");

        AssertStatus(status, 400, "BadRequest");
        Assert.Matches("^error converting YAML to JSON: yaml: line \\d+, column \\d+: ", status["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);
        var big = new StringBuilder("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"a":" """);
        big.Append('x', 2 * 1024 * 1024).Append("\"}}");

        // Expect: 100-continue, as kubectl's HTTP/2 and large uploads effectively behave: the server answers
        // before the body is sent, so the client never races the server closing the connection mid-upload.
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps")
        {
            Content = new StringContent(big.ToString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.ExpectContinue = true;
        using var response = await api.Http.SendAsync(request, cts.Token);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var status = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync(cts.Token))!.AsObject();

        AssertStatus(status, 413, "RequestEntityTooLarge", "Request entity too large: limit is 1048576");
    }

    [Fact]
    public async Task An_unknown_resource_or_version_is_404_and_a_wrong_verb_405()
    {
        using var cts = TestDeadline.Seconds(30);

        AssertStatus(await api.SendJsonAsync(HttpMethod.Get, "api/v1/namespaces/default/widgets", null, HttpStatusCode.NotFound, cts.Token), 404, "NotFound", "the server could not find the requested resource");
        AssertStatus(await api.SendJsonAsync(HttpMethod.Get, "apis/apps/v2/namespaces/default/deployments", null, HttpStatusCode.NotFound, cts.Token), 404, "NotFound");
        AssertStatus(await api.SendJsonAsync(HttpMethod.Put, "api/v1/namespaces/default/configmaps", "{}", HttpStatusCode.MethodNotAllowed, cts.Token), 405, "MethodNotAllowed");
        AssertStatus(await api.SendJsonAsync(HttpMethod.Post, "api/v1/namespaces/default/configmaps/x", "{}", HttpStatusCode.MethodNotAllowed, cts.Token), 405, "MethodNotAllowed");
    }

    [Fact]
    public async Task A_kind_or_version_that_contradicts_the_url_is_400()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);

        var kind = await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}""", HttpStatusCode.BadRequest, cts.Token);
        var version = await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", """{"apiVersion":"apps/v1","kind":"ConfigMap","metadata":{"name":"x"}}""", HttpStatusCode.BadRequest, cts.Token);

        AssertStatus(kind, 400, "BadRequest", "the kind in the data (Secret) does not match the expected kind (ConfigMap)");
        AssertStatus(version, 400, "BadRequest", "the API version in the data (apps/v1) does not match the expected API version (v1)");
    }

    [Fact]
    public async Task Strict_field_validation_rejects_unknown_and_duplicate_fields()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);
        var body = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"s","name":"s"},"spec":{"foo":1,"template":{"spec":{"containers":[{"name":"c","image":"i","colour":"red"}]}}}}""";

        var status = await api.SendJsonAsync(HttpMethod.Post, $"apis/apps/v1/namespaces/{ns}/deployments?fieldValidation=Strict", body, HttpStatusCode.BadRequest, cts.Token);

        AssertStatus(status, 400, "BadRequest",
            "strict decoding error: unknown field \"spec.foo\", unknown field \"spec.template.spec.containers[0].colour\", duplicate field \"metadata.name\"");
    }

    [Fact]
    public async Task Warn_field_validation_answers_warning_headers_and_drops_the_field()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);

        using var response = await api.SendAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps?fieldValidation=Warn",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"w"},"spec":{"foo":1}}""", cts.Token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(["299 - \"unknown field \\\"spec\\\"\""], response.Headers.GetValues("Warning"));
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync(cts.Token))!;
        Assert.Null(created["spec"]);
    }

    [Fact]
    public async Task Ignore_field_validation_drops_unknown_fields_silently()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);

        using var response = await api.SendAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps?fieldValidation=Ignore",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"i"},"spec":{"foo":1}}""", cts.Token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.False(response.Headers.Contains("Warning"));
    }

    [Fact]
    public async Task Content_in_a_missing_namespace_is_404_and_in_a_terminating_one_403()
    {
        using var cts = TestDeadline.Seconds(30);
        var missing = await api.SendJsonAsync(HttpMethod.Post, "api/v1/namespaces/nowhere/configmaps", """{"metadata":{"name":"x"}}""", HttpStatusCode.NotFound, cts.Token);
        AssertStatus(missing, 404, "NotFound", "namespaces \"nowhere\" not found");

        var ns = await api.NewNamespaceAsync(cts.Token);
        await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"held","finalizers":["example.com/hold"]}}""", HttpStatusCode.Created, cts.Token);
        await api.SendJsonAsync(HttpMethod.Delete, $"api/v1/namespaces/{ns}", null, HttpStatusCode.OK, cts.Token);

        var terminating = await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"late"}}""", HttpStatusCode.Forbidden, cts.Token);

        AssertStatus(terminating, 403, "Forbidden", $"configmaps \"late\" is forbidden: unable to create new content in namespace {ns} because it is being terminated");
        Assert.Equal("NamespaceTerminating", terminating["details"]!["causes"]![0]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_namespace_in_the_body_that_differs_from_the_url_is_400()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);

        var status = await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"x","namespace":"other"}}""", HttpStatusCode.BadRequest, cts.Token);

        AssertStatus(status, 400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
    }

    [Fact]
    public async Task Bad_patches_are_rejected_with_a_status()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);
        await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"p"},"data":{"a":"1"}}""", HttpStatusCode.Created, cts.Token);
        var path = $"api/v1/namespaces/{ns}/configmaps/p";

        var missingPath = await api.SendJsonAsync(HttpMethod.Patch, path, """[{"op":"replace","path":"/data/nope/deeper","value":"x"}]""", HttpStatusCode.UnprocessableEntity, cts.Token, "application/json-patch+json");
        var notAPatch = await api.SendJsonAsync(HttpMethod.Patch, path, """{"op":"add"}""", HttpStatusCode.BadRequest, cts.Token, "application/json-patch+json");
        var brokenJson = await api.SendJsonAsync(HttpMethod.Patch, path, """{"data":""", HttpStatusCode.BadRequest, cts.Token, "application/merge-patch+json");
        var unknownType = await api.SendJsonAsync(HttpMethod.Patch, path, "{}", HttpStatusCode.UnsupportedMediaType, cts.Token, "application/xml");
        var forceWithoutApply = await api.SendJsonAsync(HttpMethod.Patch, path + "?force=true", "{}", HttpStatusCode.UnprocessableEntity, cts.Token, "application/merge-patch+json");
        var applyWithoutManager = await api.SendJsonAsync(HttpMethod.Patch, path, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"p"}}""", HttpStatusCode.UnprocessableEntity, cts.Token, "application/apply-patch+yaml");

        AssertStatus(missingPath, 422, "Invalid");
        AssertStatus(notAPatch, 400, "BadRequest");
        AssertStatus(brokenJson, 400, "BadRequest");
        AssertStatus(unknownType, 415, "UnsupportedMediaType");
        AssertStatus(forceWithoutApply, 422, "Invalid");
        AssertStatus(applyWithoutManager, 422, "Invalid");
        Assert.Equal("fieldManager", applyWithoutManager["details"]!["causes"]![0]!["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_missing_object_is_404_with_the_qualified_resource()
    {
        using var cts = TestDeadline.Seconds(30);

        var status = await api.SendJsonAsync(HttpMethod.Get, "apis/apps/v1/namespaces/default/deployments/ghost", null, HttpStatusCode.NotFound, cts.Token);

        AssertStatus(status, 404, "NotFound", "deployments.apps \"ghost\" not found");
        Assert.Equal("apps", status["details"]!["group"]!.GetValue<string>());
        Assert.Equal("deployments", status["details"]!["kind"]!.GetValue<string>());
    }
}
