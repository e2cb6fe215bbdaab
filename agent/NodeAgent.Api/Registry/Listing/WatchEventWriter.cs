using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using k8s.Models;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Registry.Listing;

/// <summary>
/// Encodes watch events, one JSON object per line: <c>{"type":"ADDED","object":{…}}</c>. In the plain JSON form
/// the object's bytes come from the shared <see cref="StoredItem"/>, so an event is encoded once however many
/// watchers send it. Events are buffered in the response pipe until <see cref="FlushAsync"/>.
/// </summary>
internal sealed class WatchEventWriter : IAsyncDisposable
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";

    private static readonly byte[] AddedPrefix = Encoding.UTF8.GetBytes("{\"type\":\"ADDED\",\"object\":");
    private static readonly byte[] ModifiedPrefix = Encoding.UTF8.GetBytes("{\"type\":\"MODIFIED\",\"object\":");
    private static readonly byte[] DeletedPrefix = Encoding.UTF8.GetBytes("{\"type\":\"DELETED\",\"object\":");
    private static readonly byte[] Suffix = "}\n"u8.ToArray();

    private readonly PipeWriter _pipe;
    private readonly Utf8JsonWriter _json;
    private readonly ResourceDefinition _resource;
    private readonly OutputFormat _format;
    private readonly IncludeObject _include;
    private readonly TimeProvider _time;
    private bool _columnsSent;

    public WatchEventWriter(PipeWriter pipe, ResourceDefinition resource, OutputFormat format, IncludeObject include, TimeProvider time)
    {
        _pipe = pipe;
        _resource = resource;
        _format = format;
        _include = include;
        _time = time;
        _json = new Utf8JsonWriter(pipe, new JsonWriterOptions { SkipValidation = true });
    }

    public void WriteEvent(string type, StoredItem item)
    {
        if (_format.Shape == OutputShape.Object)
        {
            _pipe.Write(type switch { Added => AddedPrefix, Modified => ModifiedPrefix, _ => DeletedPrefix });
            _pipe.Write(item.ObjectJson.Span);
            _pipe.Write(Suffix);
            return;
        }

        WriteEnvelope(type, json =>
        {
            if (_format.Shape == OutputShape.Table)
            {
                TableJson.WriteTable(json, _resource, _format, [item], new ListMetadata(Revision(item.Revision)), _include, _time.GetUtcNow(), withColumns: !_columnsSent);
                _columnsSent = true;
            }
            else
            {
                TableJson.WritePartialObjectMetadata(json, _format, item);
            }
        });
    }

    /// <summary>
    /// A BOOKMARK: an object of the kind with only metadata.resourceVersion (and the initial-events-end annotation
    /// after the initial events of a <c>sendInitialEvents</c> watch). In a Table watch, an empty Table.
    /// </summary>
    public void WriteBookmark(long revision, bool initialEventsEnd)
    {
        WriteEnvelope("BOOKMARK", json =>
        {
            if (_format.Shape == OutputShape.Table && !initialEventsEnd)
            {
                TableJson.WriteEmptyTable(json, _format, Revision(revision));
                return;
            }

            var metadataOnly = _format.Shape == OutputShape.PartialObjectMetadata;
            json.WriteStartObject();
            json.WriteString("kind"u8, metadataOnly ? "PartialObjectMetadata" : _resource.Kind);
            json.WriteString("apiVersion"u8, metadataOnly ? _format.MetaApiVersion : _resource.ApiVersion);
            json.WriteStartObject("metadata"u8);
            json.WriteString("resourceVersion"u8, Revision(revision));
            if (initialEventsEnd)
            {
                json.WriteStartObject("annotations"u8);
                json.WriteString("k8s.io/initial-events-end"u8, "true");
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        });
    }

    /// <summary>An ERROR event carrying a Status (e.g. 410 Expired); the watch ends after it.</summary>
    public void WriteError(V1Status status)
        => WriteEnvelope("ERROR", json => StatusJson.Write(json, status));

    public ValueTask<FlushResult> FlushAsync(CancellationToken ct) => _pipe.FlushAsync(ct);

    public ValueTask DisposeAsync() => _json.DisposeAsync();

    private static string Revision(long revision) => revision.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void WriteEnvelope(string type, Action<Utf8JsonWriter> writeObject)
    {
        _json.Reset(_pipe);
        _json.WriteStartObject();
        _json.WriteString("type"u8, type);
        _json.WritePropertyName("object"u8);
        writeObject(_json);
        _json.WriteEndObject();
        _json.Flush();
        _pipe.Write("\n"u8);
    }
}
