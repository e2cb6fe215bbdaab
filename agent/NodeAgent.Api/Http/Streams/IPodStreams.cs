using k8s.Models;

namespace NodeAgent.Api.Http.Streams;

/// <summary>
/// The node side of <c>pods/log</c>, <c>pods/exec</c>, <c>pods/attach</c> and <c>pods/portforward</c> (the kubelet's
/// part upstream). The API validates the request and the container name first; an implementation throws
/// <see cref="ApiException"/> for what only the node can refuse (no logs yet, container not running).
/// </summary>
public interface IPodStreams
{
    /// <summary>Opens the container's log; nothing is written before this returns, so a refusal is still a clean 400.</summary>
    Task<IPodLog> OpenLogAsync(V1Pod pod, PodLogRequest request, CancellationToken ct);

    /// <summary>The runtime's streaming URL (CRI <c>Exec</c>) the client's upgrade is relayed to.</summary>
    Task<Uri> ExecAsync(V1Pod pod, PodCommandRequest request, CancellationToken ct);

    /// <summary>The runtime's streaming URL for CRI <c>Attach</c>.</summary>
    Task<Uri> AttachAsync(V1Pod pod, PodCommandRequest request, CancellationToken ct);

    /// <summary>The runtime's streaming URL for CRI <c>PortForward</c> into the pod's sandbox.</summary>
    Task<Uri> PortForwardAsync(V1Pod pod, IReadOnlyList<int> ports, CancellationToken ct);
}

/// <summary>An opened log: copies what there is (and, when following, what comes) to the response.</summary>
public interface IPodLog
{
    Task CopyToAsync(Stream output, CancellationToken ct);
}

/// <summary><c>PodLogOptions</c> after validation; the container is always named.</summary>
public sealed record PodLogRequest
{
    public required string Container { get; init; }

    public bool Follow { get; init; }

    public bool Previous { get; init; }

    public long? TailLines { get; init; }

    public DateTimeOffset? Since { get; init; }

    public bool Timestamps { get; init; }

    public long? LimitBytes { get; init; }
}

/// <summary><c>PodExecOptions</c> / <c>PodAttachOptions</c> after validation (attach has no command).</summary>
public sealed record PodCommandRequest(string Container, IReadOnlyList<string> Command, bool Stdin, bool Stdout, bool Stderr, bool Tty);
