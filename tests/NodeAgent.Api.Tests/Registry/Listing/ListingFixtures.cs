using System.IO.Pipelines;
using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using NodeAgent.Api.Registry;
using NodeAgent.Api.Resources;
using NodeAgent.Storage;

namespace NodeAgent.Api.Tests.Registry.Listing;

/// <summary>Resources, objects and HTTP contexts for the list/watch tests.</summary>
internal static class ListingFixtures
{
    /// <summary>ConfigMaps with the generic strategy; <paramref name="suffix"/> gives a test its own key space in a shared store.</summary>
    public static ResourceDefinition ConfigMapResource(string suffix = "") => new(
        "", "v1", "ConfigMap", "configmaps" + suffix, "configmap", true, typeof(V1ConfigMap), typeof(V1ConfigMapList),
        ["cm"], [], [], new GenericStrategy<V1ConfigMap>());

    public static ResourceDefinition PodResource(string suffix = "") => new(
        "", "v1", "Pod", "pods" + suffix, "pod", true, typeof(V1Pod), typeof(V1PodList), ["po"], ["all"], ["status"], new PhaseStrategy());

    public static JsonObject ConfigMap(string ns, string name, Dictionary<string, string>? labels = null, string value = "v") => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["uid"] = $"uid-{ns}-{name}",
            ["creationTimestamp"] = "2026-11-28T10:00:00Z",
            ["labels"] = labels is null ? null : new JsonObject(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))),
        },
        ["data"] = new JsonObject { ["key"] = value },
    };

    public static JsonObject Pod(string ns, string name, string phase) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["creationTimestamp"] = "2026-11-28T10:00:00Z" },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "busybox" }) },
        ["status"] = new JsonObject { ["phase"] = phase },
    };

    public static Task<KeyValue> CreateAsync(IRevisionedStore store, ResourceDefinition resource, JsonObject obj, CancellationToken ct)
    {
        var meta = obj["metadata"]!;
        return store.CreateAsync(StoredObjects.Key(resource, meta["namespace"]?.GetValue<string>(), meta["name"]!.GetValue<string>()), StoredObjects.Encode(obj), ct);
    }

    /// <summary>A request context whose response body is collected in memory.</summary>
    public static (DefaultHttpContext Context, MemoryStream Body) Request(string query, string? accept = null)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query.Length == 0 ? "" : "?" + query);
        if (accept is not null)
        {
            context.Request.Headers.Accept = accept;
        }

        var body = new MemoryStream();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(body));
        return (context, body);
    }

    public static JsonObject Json(MemoryStream body) => JsonNode.Parse(Encoding.UTF8.GetString(body.ToArray()))!.AsObject();

    /// <summary>A watch request whose response is read line by line as the server writes it.</summary>
    public static WatchClient Watch(string query, string? accept = null, Stream? body = null)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString("?watch=true" + (query.Length == 0 ? "" : "&" + query));
        if (accept is not null)
        {
            context.Request.Headers.Accept = accept;
        }

        var pipe = new Pipe();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(body ?? pipe.Writer.AsStream()));
        return new WatchClient(context, pipe);
    }

    /// <summary>Pods whose status.phase is selectable (as upstream's pod strategy offers).</summary>
    private sealed class PhaseStrategy : ResourceStrategy<V1Pod>
    {
        public override IEnumerable<KeyValuePair<string, string>> ExtraSelectableFields(V1Pod obj) =>
            [KeyValuePair.Create("status.phase", obj.Status?.Phase ?? ""), KeyValuePair.Create("spec.nodeName", obj.Spec?.NodeName ?? "")];
    }
}

/// <summary>The client end of a watch: the events as JSON objects, in order.</summary>
internal sealed class WatchClient(DefaultHttpContext context, Pipe pipe) : IAsyncDisposable
{
    private readonly StreamReader _reader = new(pipe.Reader.AsStream());
    private readonly CancellationTokenSource _stop = new();

    public DefaultHttpContext Context { get; } = context;

    public Task? Running { get; private set; }

    /// <summary>Runs the server side until it ends, <paramref name="ct"/> is cancelled or the client is disposed.</summary>
    public void Start(Func<HttpContext, CancellationToken, Task> watch, CancellationToken ct)
        => Running = Task.Run(async () =>
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _stop.Token);
            try
            {
                await watch(Context, linked.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // The test is done with this watch.
            }
            finally
            {
                await pipe.Writer.CompleteAsync();
            }
        }, CancellationToken.None);

    /// <summary>The next event, or null when the server ended the watch.</summary>
    public async Task<JsonObject?> NextAsync(CancellationToken ct)
    {
        var line = await _reader.ReadLineAsync(ct);
        return line is null ? null : JsonNode.Parse(line)!.AsObject();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await pipe.Reader.CompleteAsync();
        if (Running is not null)
        {
            try
            {
                await Running.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                // A test that failed half-way; its own token ends the watch.
            }
        }

        _reader.Dispose();
        _stop.Dispose();
    }
}
