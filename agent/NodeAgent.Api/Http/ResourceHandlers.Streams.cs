using k8s.Models;
using Microsoft.AspNetCore.Http;
using NodeAgent.Api.Http.Streams;

namespace NodeAgent.Api.Http;

/// <summary>
/// <c>pods/log</c>, <c>pods/exec</c>, <c>pods/attach</c> and <c>pods/portforward</c>: the API checks the pod and the
/// request, the node (<see cref="IPodStreams"/>) serves the log or hands out the runtime's streaming URL, and the
/// client's upgrade is relayed there (docs/streaming.md, "Through the API").
/// </summary>
internal sealed partial class ResourceHandlers
{
    private static bool IsPodStream(RequestTarget target) =>
        target.Resource.Group.Length == 0 && target.Resource.Plural == "pods"
        && target.Subresource is "log" or "exec" or "attach" or "portforward";

    private Task DispatchPodStreamAsync(HttpContext context, RequestTarget target, CancellationToken ct) =>
        (target.Subresource, context.Request.Method) switch
        {
            ("log", "GET") => PodLogAsync(context, target, ct),
            ("exec", "GET" or "POST") => PodSessionAsync(context, target, (streams, pod) => streams.ExecAsync(pod, PodStreamQuery.Exec(pod, context.Request.Query), ct), ct),
            ("attach", "GET" or "POST") => PodSessionAsync(context, target, (streams, pod) => streams.AttachAsync(pod, PodStreamQuery.Attach(pod, context.Request.Query), ct), ct),
            ("portforward", "GET" or "POST") => PodPortForwardAsync(context, target, ct),
            _ => throw ApiException.MethodNotAllowed(),
        };

    private async Task PodLogAsync(HttpContext context, RequestTarget target, CancellationToken ct)
    {
        var (streams, pod) = await PodOnNodeAsync(target, ct);
        var request = PodStreamQuery.Log(pod, context.Request.Query, _options.TimeProvider.GetUtcNow());
        var log = await streams.OpenLogAsync(pod, request, ct);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/plain";
        await context.Response.StartAsync(ct);
        await log.CopyToAsync(context.Response.Body, ct);
    }

    private async Task PodSessionAsync(HttpContext context, RequestTarget target, Func<IPodStreams, V1Pod, Task<Uri>> session, CancellationToken ct)
    {
        var (streams, pod) = await PodOnNodeAsync(target, ct);
        UpgradeProxy.UpgradeFeature(context);
        await UpgradeProxy.ProxyAsync(context, await session(streams, pod), ct);
    }

    private async Task PodPortForwardAsync(HttpContext context, RequestTarget target, CancellationToken ct)
    {
        var (streams, pod) = await PodOnNodeAsync(target, ct);
        var ports = PodStreamQuery.Ports(context.Request.Query);
        UpgradeProxy.UpgradeFeature(context);
        var url = await streams.PortForwardAsync(pod, ports, ct);
        if (SpdyTunnel.IsRequested(context.Request))
        {
            await SpdyTunnel.ServeAsync(context, url, ct);
            return;
        }

        // The runtime's websocket port-forward reads the ports as ?port= (the kubelet's name for them).
        var query = string.Join('&', ports.Select(p => $"port={p}"));
        await UpgradeProxy.ProxyAsync(context, query.Length == 0 ? url : new UriBuilder(url) { Query = query }.Uri, ct);
    }

    /// <summary>The pod, which must exist and be bound to a node; and the node side that serves its streams.</summary>
    private async Task<(IPodStreams Streams, V1Pod Pod)> PodOnNodeAsync(RequestTarget target, CancellationToken ct)
    {
        var obj = await _writer.GetAsync(target.Resource, target.Namespace, target.Name!, ct)
            ?? throw ApiException.NotFound(target.Resource, target.Name!);
        var pod = (V1Pod)ModelJson.ToModel(obj, typeof(V1Pod));
        if (string.IsNullOrEmpty(pod.Spec?.NodeName))
        {
            throw ApiException.BadRequest($"pod {pod.Metadata.Name} does not have a host assigned");
        }

        var streams = _options.PodStreams
            ?? throw new ApiException(503, "ServiceUnavailable", $"no node serves streams for pod {pod.Metadata.Name} on node {pod.Spec.NodeName}");
        return (streams, pod);
    }
}
