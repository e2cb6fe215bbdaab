using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Api.Registry;
using NodeAgent.Storage;
using static NodeAgent.Api.Tests.Registry.Listing.ListingFixtures;

namespace NodeAgent.Api.Tests.Registry.Listing;

/// <summary><see cref="CollectionReader.WriteObjectAsync"/> in each representation.</summary>
public sealed class ObjectOutputTests
{
    private const string KubectlGet =
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

    private static readonly CollectionReader Reader = new(new UnusedStore(), new FixedTime(), NullLoggerFactory.Instance);

    [Fact]
    public async Task A_table_has_the_strategy_columns_and_a_metadata_row()
    {
        var (context, body) = Request("", KubectlGet);
        await Reader.WriteObjectAsync(context, ConfigMapResource(), Stored(), 200, CancellationToken.None);
        Assert.Equal("application/json", context.Response.ContentType);
        Snapshooter.Xunit.Snapshot.Match(Newtonsoft.Json.Linq.JToken.Parse(Encoding.UTF8.GetString(body.ToArray())));
    }

    [Fact]
    public async Task Include_object_none_and_object()
    {
        var (context, body) = Request("includeObject=None", KubectlGet);
        await Reader.WriteObjectAsync(context, ConfigMapResource(), Stored(), 200, CancellationToken.None);
        Assert.Null(Json(body)["rows"]![0]!["object"]);

        (context, body) = Request("includeObject=Object", KubectlGet);
        await Reader.WriteObjectAsync(context, ConfigMapResource(), Stored(), 200, CancellationToken.None);
        Assert.Equal("v", Json(body)["rows"]![0]!["object"]!["data"]!["key"]!.GetValue<string>());

        (context, body) = Request("includeObject=Everything", KubectlGet);
        await Reader.WriteObjectAsync(context, ConfigMapResource(), Stored(), 200, CancellationToken.None);
        Assert.Equal(400, context.Response.StatusCode);
        Assert.Equal("unrecognized includeObject value: \"Everything\"", Json(body)["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Json_yaml_and_metadata_only()
    {
        var (context, body) = Request("");
        await Reader.WriteObjectAsync(context, ConfigMapResource(), Stored(), 201, CancellationToken.None);
        Assert.Equal(201, context.Response.StatusCode);
        Assert.True(JsonNode.DeepEquals(Stored(), Json(body)));

        (context, body) = Request("", "application/yaml");
        await Reader.WriteObjectAsync(context, ConfigMapResource(), Stored(), 200, CancellationToken.None);
        var yaml = Encoding.UTF8.GetString(body.ToArray());
        Assert.Contains("kind: ConfigMap", yaml, StringComparison.Ordinal);
        Assert.Contains("resourceVersion: \"12\"", yaml, StringComparison.Ordinal);

        (context, body) = Request("", "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io");
        await Reader.WriteObjectAsync(context, ConfigMapResource(), Stored(), 200, CancellationToken.None);
        var partial = Json(body);
        Assert.Equal("PartialObjectMetadata", partial["kind"]!.GetValue<string>());
        Assert.Equal("meta.k8s.io/v1", partial["apiVersion"]!.GetValue<string>());
        Assert.Null(partial["data"]);
        Assert.Equal("cm", partial["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_status_is_never_turned_into_a_table_and_unsupported_types_are_406()
    {
        var status = new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["status"] = "Success" };
        var (context, body) = Request("", KubectlGet);
        await Reader.WriteObjectAsync(context, ConfigMapResource(), status, 200, CancellationToken.None);
        Assert.Equal("Status", Json(body)["kind"]!.GetValue<string>());

        (context, body) = Request("", "text/html");
        await Reader.WriteObjectAsync(context, ConfigMapResource(), Stored(), 200, CancellationToken.None);
        Assert.Equal(406, context.Response.StatusCode);
        Assert.Equal("NotAcceptable", Json(body)["reason"]!.GetValue<string>());
    }

    private static JsonObject Stored()
    {
        var obj = ConfigMap("default", "cm", new() { ["app"] = "web" });
        obj["metadata"]!["resourceVersion"] = "12";
        return obj;
    }

    private sealed class FixedTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    }

    /// <summary>Writing an object never touches the store.</summary>
    private sealed class UnusedStore : IRevisionedStore
    {
        public Task<long> CurrentRevisionAsync(CancellationToken ct) => throw new NotSupportedException();

        public Task<KeyValue?> GetAsync(string key, CancellationToken ct) => throw new NotSupportedException();

        public Task<ListResult> ListAsync(string prefix, long revision, string? startAfterKey, int limit, CancellationToken ct) => throw new NotSupportedException();

        public Task<KeyValue> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct) => throw new NotSupportedException();

        public Task<KeyValue> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedModRevision, CancellationToken ct) => throw new NotSupportedException();

        public Task<KeyValue> DeleteAsync(string key, long? expectedModRevision, CancellationToken ct) => throw new NotSupportedException();

        public IAsyncEnumerable<WatchBatch> WatchAsync(string prefix, long fromRevision, CancellationToken ct) => throw new NotSupportedException();

        public Task CompactAsync(long revision, CancellationToken ct) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

public sealed class StatusJsonTests
{
    [Fact]
    public void A_status_is_written_in_upstreams_shape()
    {
        var status = Api.Hosting.StatusResponses.Failure(410, "Expired", "too old resource version: 3 (7)");
        Assert.Equal(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old resource version: 3 (7)\",\"reason\":\"Expired\",\"code\":410}",
            Encoding.UTF8.GetString(NodeAgent.Api.Registry.Listing.StatusJson.Serialize(status)));
    }
}
