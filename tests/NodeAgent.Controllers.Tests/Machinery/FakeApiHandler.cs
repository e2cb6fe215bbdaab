using System.Net;
using System.Text;
using System.Threading.Channels;
using k8s;

namespace NodeAgent.Controllers.Tests.Machinery;

/// <summary>
/// Stands in for the API server's HTTP answers to list and watch, below a real <see cref="Kubernetes"/> client, so the
/// informer is tested through the client's own request building and watch parsing. Only for unit tests of the informer.
/// </summary>
internal sealed class FakeApiHandler : DelegatingHandler
{
    // A list answer is a JSON body or an HTTP error status; a watch answer is a stream or an HTTP error status.
    private readonly Channel<object> _lists = Channel.CreateUnbounded<object>();
    private readonly Channel<object> _watches = Channel.CreateUnbounded<object>();

    public List<Uri> Requests { get; } = [];

    public Channel<Uri> WatchRequests { get; } = Channel.CreateUnbounded<Uri>();

    public IKubernetes Client() => new Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:9" }, this);

    /// <summary>The body of the next list response.</summary>
    public void EnqueueList(string json) => _lists.Writer.TryWrite(json);

    /// <summary>The next list request fails with this status and a Status body.</summary>
    public void EnqueueListError(HttpStatusCode code) => _lists.Writer.TryWrite(code);

    /// <summary>The next watch request fails with this status (410 when its resourceVersion is too old).</summary>
    public void EnqueueWatchError(HttpStatusCode code) => _watches.Writer.TryWrite(code);

    /// <summary>The stream the next watch request gets; write event lines to it, complete it to end the watch.</summary>
    public WatchStream EnqueueWatch()
    {
        var stream = new WatchStream();
        _watches.Writer.TryWrite(stream);
        return stream;
    }

    public static string PodList(string resourceVersion, params string[] podJson)
        => $$$"""{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"{{{resourceVersion}}}"},"items":[{{{string.Join(",", podJson)}}}]}""";

    public static string Pod(string name, string resourceVersion, string ns = "default")
        => $$$"""{"kind":"Pod","apiVersion":"v1","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}","uid":"uid-{{{name}}}","resourceVersion":"{{{resourceVersion}}}"},"spec":{"containers":[]}}""";

    public static string Event(string type, string objectJson) => $$"""{"type":"{{type}}","object":{{objectJson}}}""";

    public static string Bookmark(string resourceVersion) => Event("BOOKMARK", $$$"""{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"{{{resourceVersion}}}"}}""");

    public static string Expired() => Event("ERROR", """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}""");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        lock (Requests)
        {
            Requests.Add(uri);
        }

        if (uri.Query.Contains("watch=true", StringComparison.Ordinal))
        {
            await WatchRequests.Writer.WriteAsync(uri, cancellationToken);
            return await _watches.Reader.ReadAsync(cancellationToken) switch
            {
                WatchStream stream => new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = new StreamContent(stream) },
                var code => Error(request, (HttpStatusCode)code),
            };
        }

        return await _lists.Reader.ReadAsync(cancellationToken) switch
        {
            string body => new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = new StringContent(body, Encoding.UTF8, "application/json") },
            var code => Error(request, (HttpStatusCode)code),
        };
    }

    private static HttpResponseMessage Error(HttpRequestMessage request, HttpStatusCode code) => new(code)
    {
        RequestMessage = request,
        Content = new StringContent($$"""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"injected","code":{{(int)code}}}""", Encoding.UTF8, "application/json"),
    };
}

/// <summary>A response body fed line by line by the test.</summary>
internal sealed class WatchStream : Stream
{
    private readonly Channel<byte[]> _chunks = Channel.CreateUnbounded<byte[]>();
    private byte[] _current = [];
    private int _offset;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public void Send(string line) => _chunks.Writer.TryWrite(Encoding.UTF8.GetBytes(line + "\n"));

    public void End() => _chunks.Writer.TryComplete();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_offset == _current.Length)
        {
            if (!await _chunks.Reader.WaitToReadAsync(cancellationToken))
            {
                return 0;
            }

            _current = await _chunks.Reader.ReadAsync(cancellationToken);
            _offset = 0;
        }

        var count = Math.Min(buffer.Length, _current.Length - _offset);
        _current.AsMemory(_offset, count).CopyTo(buffer);
        _offset += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
