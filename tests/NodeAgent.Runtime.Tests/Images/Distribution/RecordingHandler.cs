using System.Collections.Concurrent;

namespace NodeAgent.Runtime.Tests.Images.Distribution;

/// <summary>Records the URI of every request the registry client sends (to prove which hosts it contacted).</summary>
internal sealed class RecordingHandler() : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
{
    private readonly ConcurrentQueue<Uri> _requests = new();

    public IReadOnlyList<Uri> Requests => [.. _requests];

    public IReadOnlySet<string> Hosts => _requests.Select(u => u.Authority).ToHashSet();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _requests.Enqueue(request.RequestUri!);
        return base.SendAsync(request, cancellationToken);
    }
}
