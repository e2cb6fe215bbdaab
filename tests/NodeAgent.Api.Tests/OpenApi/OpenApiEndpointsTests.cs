using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using NodeAgent.Testing.Common;

namespace NodeAgent.Api.Tests.OpenApi;

public sealed class OpenApiEndpointsTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new(TestIds.NewPrefix());
    private readonly CancellationTokenSource _deadline = TestDeadline.Seconds(60);
    private OpenApiTestServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await OpenApiTestServer.StartAsync(_temp.Path, _deadline.Token);
        _client = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.GZip, AllowAutoRedirect = false })
        {
            BaseAddress = _server.Address,
        };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _temp.Dispose();
        _deadline.Dispose();
    }

    [Fact]
    public async Task A_group_version_fetched_by_its_current_hash_is_immutable()
    {
        var url = await ServerRelativeUrlAsync("apis/apps/v1");

        using var response = await _client.GetAsync(url, _deadline.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("public, immutable", response.Headers.CacheControl?.ToString());
        Assert.NotNull(response.Content.Headers.Expires);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("\"" + url.Split("hash=")[1] + "\"", response.Headers.ETag?.Tag);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(_deadline.Token))!;
        Assert.Equal("3.0.0", (string?)document["openapi"]);
    }

    [Fact]
    public async Task A_stale_hash_is_redirected_to_the_current_one()
    {
        var current = await ServerRelativeUrlAsync("api/v1");

        using var response = await _client.GetAsync("/openapi/v3/api/v1?hash=0123", _deadline.Token);

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal(current, response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task If_none_match_with_the_etag_answers_304_and_without_a_hash_nothing_is_cached()
    {
        using var first = await _client.GetAsync("/openapi/v3/api/v1", _deadline.Token);
        Assert.Null(first.Headers.CacheControl);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v3/api/v1");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var second = await _client.SendAsync(request, _deadline.Token);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Fact]
    public async Task Documents_are_sent_gzip_compressed_or_plain()
    {
        using var plainClient = new HttpClient { BaseAddress = _server.Address };
        using var plain = await plainClient.GetAsync("/openapi/v3/apis/batch/v1", _deadline.Token);
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        Assert.NotNull(JsonNode.Parse(await plain.Content.ReadAsStringAsync(_deadline.Token))!["components"]);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v3/apis/batch/v1");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var compressed = await plainClient.SendAsync(request, _deadline.Token);
        Assert.Equal(["gzip"], compressed.Content.Headers.ContentEncoding);
    }

    [Fact]
    public async Task Unknown_group_versions_are_404_and_protobuf_only_v3_requests_406()
    {
        using var missing = await _client.GetAsync("/openapi/v3/apis/example.com/v1", _deadline.Token);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v3/api/v1");
        request.Headers.TryAddWithoutValidation("Accept", "application/com.github.proto-openapi.spec.v3@v1.0+protobuf");
        using var protobuf = await _client.SendAsync(request, _deadline.Token);
        Assert.Equal(HttpStatusCode.NotAcceptable, protobuf.StatusCode);
    }

    [Fact]
    public async Task V2_is_protobuf_when_kubectl_asks_for_it_and_json_otherwise()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v2");
        request.Headers.TryAddWithoutValidation("Accept", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
        using var protobuf = await _client.SendAsync(request, _deadline.Token);
        Assert.Equal("application/com.github.proto-openapi.spec.v2.v1.0+protobuf", protobuf.Content.Headers.ContentType?.MediaType);
        var bytes = await protobuf.Content.ReadAsByteArrayAsync(_deadline.Token);
        Assert.Equal([0x0a, 0x03, (byte)'2', (byte)'.', (byte)'0'], bytes[..5]); // field 1 (swagger) = "2.0"

        using var json = await _client.GetAsync("/openapi/v2", _deadline.Token);
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        Assert.Equal("2.0", (string?)JsonNode.Parse(await json.Content.ReadAsStringAsync(_deadline.Token))!["swagger"]);
    }

    [Fact]
    public async Task Validating_kubectl_commands_get_their_own_index_and_caches_are_told_it_varies()
    {
        var explainUrl = await ServerRelativeUrlAsync("api/v1", "kubectl explain");
        var applyUrl = await ServerRelativeUrlAsync("api/v1", "kubectl apply");

        Assert.Equal(await ServerRelativeUrlAsync("api/v1"), explainUrl);
        Assert.NotEqual(explainUrl, applyUrl);
        using var index = await _client.GetAsync("/openapi/v3", _deadline.Token);
        Assert.Contains("Kubectl-Command", index.Headers.Vary);

        // Each hash URL serves its own document, whoever asks: no redirect for the other view's hash.
        using var request = new HttpRequestMessage(HttpMethod.Get, applyUrl);
        request.Headers.Add("Kubectl-Command", "kubectl explain");
        using var slim = await _client.SendAsync(request, _deadline.Token);
        Assert.Equal(HttpStatusCode.OK, slim.StatusCode);
        Assert.Equal("\"" + applyUrl.Split("hash=")[1] + "\"", slim.Headers.ETag?.Tag);
        Assert.Contains("Kubectl-Command", slim.Headers.Vary);
        var schemas = JsonNode.Parse(await slim.Content.ReadAsStringAsync(_deadline.Token))!["components"]!["schemas"]!;
        Assert.Empty(schemas.AsObject());
    }

    private async Task<string> ServerRelativeUrlAsync(string groupVersion, string? kubectlCommand = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v3");
        if (kubectlCommand is not null)
        {
            request.Headers.Add("Kubectl-Command", kubectlCommand);
        }

        using var response = await _client.SendAsync(request, _deadline.Token);
        var index = JsonNode.Parse(await response.Content.ReadAsStringAsync(_deadline.Token))!;
        return (string)index["paths"]![groupVersion]!["serverRelativeURL"]!;
    }
}
