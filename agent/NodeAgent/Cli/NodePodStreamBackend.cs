using Grpc.Core;
using k8s.Models;
using NodeAgent.Api.Http;
using NodeAgent.Api.Http.Streams;
using NodeAgent.Cri;
using NodeAgent.Cri.V1;
using NodeAgent.Node.Pods;
using NodeAgent.Node.Streams;

namespace NodeAgent.Cli;

/// <summary>
/// The node's side of the pod streams for the server's API (kubelet's part upstream): finds the container from the
/// pod's status, reads its CRI log file, or asks the CRI runtime for a streaming URL. Connects to the runtime on first
/// use, so it can be handed to the API before the runtime has started.
/// </summary>
internal sealed class NodePodStreamBackend : IPodStreams, IDisposable
{
    private readonly Lazy<CriClient> _cri;
    private readonly CriLogReader _logReader = new();

    public NodePodStreamBackend(string criEndpoint) => _cri = new Lazy<CriClient>(() => CriClientFactory.Connect(criEndpoint));

    private RuntimeService.RuntimeServiceClient Runtime => _cri.Value.Runtime;

    public async Task<IPodLog> OpenLogAsync(V1Pod pod, PodLogRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(request);
        var id = Refusable(() => PodContainerLocator.ForLogs(pod, request.Container, request.Previous));
        var status = await CriAsync(async () => (await Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id }, cancellationToken: ct)).Status);
        if (string.IsNullOrEmpty(status.LogPath) || !File.Exists(status.LogPath))
        {
            throw ApiException.BadRequest($"the log of container \"{request.Container}\" in pod \"{pod.Metadata.Name}\" is gone (\"{status.LogPath}\")");
        }

        var options = new LogReadOptions
        {
            Follow = request.Follow,
            TailLines = request.TailLines,
            Since = request.Since,
            Timestamps = request.Timestamps,
            LimitBytes = request.LimitBytes,
        };
        return new ContainerLog(this, id, status.LogPath, options);
    }

    public async Task<Uri> ExecAsync(V1Pod pod, PodCommandRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(request);
        var exec = new ExecRequest
        {
            ContainerId = Refusable(() => PodContainerLocator.Running(pod, request.Container)),
            Cmd = { request.Command },
            Stdin = request.Stdin,
            Stdout = request.Stdout,
            Stderr = request.Stderr,
            Tty = request.Tty,
        };
        return new Uri(await CriAsync(async () => (await Runtime.ExecAsync(exec, cancellationToken: ct)).Url));
    }

    public async Task<Uri> AttachAsync(V1Pod pod, PodCommandRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(request);
        var attach = new AttachRequest
        {
            ContainerId = Refusable(() => PodContainerLocator.Running(pod, request.Container)),
            Stdin = request.Stdin,
            Stdout = request.Stdout,
            Stderr = request.Stderr,
            Tty = request.Tty,
        };
        return new Uri(await CriAsync(async () => (await Runtime.AttachAsync(attach, cancellationToken: ct)).Url));
    }

    public async Task<Uri> PortForwardAsync(V1Pod pod, IReadOnlyList<int> ports, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var filter = new PodSandboxFilter
        {
            LabelSelector = { [PodLabels.PodUid] = pod.Metadata.Uid ?? "" },
            State = new PodSandboxStateValue { State = PodSandboxState.SandboxReady },
        };
        var sandboxes = await CriAsync(async () => (await Runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = filter }, cancellationToken: ct)).Items);
        var sandbox = sandboxes.MaxBy(s => s.CreatedAt)
            ?? throw ApiException.BadRequest($"pod not found (\"{pod.Metadata.Name}_{pod.Metadata.NamespaceProperty}\")");
        var request = new PortForwardRequest { PodSandboxId = sandbox.Id, Port = { ports } };
        return new Uri(await CriAsync(async () => (await Runtime.PortForwardAsync(request, cancellationToken: ct)).Url));
    }

    public void Dispose()
    {
        if (_cri.IsValueCreated)
        {
            _cri.Value.Dispose();
        }
    }

    private async Task<bool> IsRunningAsync(string containerId, CancellationToken ct)
    {
        try
        {
            var status = await Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = containerId }, cancellationToken: ct);
            return status.Status.State == ContainerState.ContainerRunning;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return false;
        }
    }

    private static string Refusable(Func<string> locate)
    {
        try
        {
            return locate();
        }
        catch (PodStreamException e)
        {
            throw ApiException.BadRequest(e.Message);
        }
    }

    /// <summary>A CRI failure as the API reports it: a container the runtime no longer has is a 404, the rest a 500.</summary>
    private static async Task<T> CriAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            throw new ApiException(404, "NotFound", e.Status.Detail);
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            throw new ApiException(500, "InternalError", $"the container runtime failed: {e.Status.Detail}");
        }
    }

    private sealed class ContainerLog(NodePodStreamBackend backend, string containerId, string path, LogReadOptions options) : IPodLog
    {
        public Task CopyToAsync(Stream output, CancellationToken ct) =>
            backend._logReader.CopyAsync(path, options, output, token => backend.IsRunningAsync(containerId, token), ct);
    }
}
