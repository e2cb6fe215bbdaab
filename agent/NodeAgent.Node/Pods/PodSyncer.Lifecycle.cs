using k8s;
using k8s.Models;
using NodeAgent.Cri.V1;
using NodeAgent.Node.Probes;

namespace NodeAgent.Node.Pods;

/// <summary>Lifecycle hooks (postStart, preStop), activeDeadlineSeconds, and pods the API already shows as finished.</summary>
public sealed partial class PodSyncer
{
    /// <summary>kubelet's pod status reason and message when activeDeadlineSeconds passes.</summary>
    public const string DeadlineExceededReason = "DeadlineExceeded";

    public const string DeadlineExceededMessage = "Pod was active on the node longer than the specified deadline";

    /// <summary>
    /// kubelet runs hooks without a timeout of their own; a bound keeps one hung hook from holding the pod's worker
    /// forever (a preStop hook is additionally bounded by the grace period).
    /// </summary>
    private static readonly TimeSpan HookTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Runs a postStart or preStop handler (exec, httpGet, sleep). Returns null on success, else kubelet's message
    /// ("Exec lifecycle hook ([cmd]) for Container "c" in Pod "p_ns(uid)" failed - error: …, message: …").
    /// </summary>
    private async Task<string?> RunHookAsync(V1Pod pod, V1Container container, V1LifecycleHandler handler, string containerId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var who = $"for Container \"{container.Name}\" in Pod \"{pod.Metadata.Name}_{SandboxConfigBuilder.Namespace(pod)}({pod.Metadata.Uid})\"";
        if (handler.Exec is { } exec)
        {
            var command = exec.Command ?? [];
            var result = await _probeRunner.ExecAsync(containerId, command, timeout, cancellationToken).ConfigureAwait(false);
            return result.Success ? null : $"Exec lifecycle hook ([{string.Join(' ', command)}]) {who} failed - error: {result.Message}, message: \"\"";
        }

        if (handler.HttpGet is { } get)
        {
            var podIP = (await ListSandboxesAsync(pod.Metadata.Uid, cancellationToken).ConfigureAwait(false)).MaxBy(s => s.CreatedAt)?.Network?.Ip;
            var result = await _probeRunner.HttpGetAsync(get, new ProbeTarget(containerId, podIP, container), timeout, cancellationToken).ConfigureAwait(false);
            return result.Success ? null : $"HTTP lifecycle hook ({get.Path}) {who} failed - error: {result.Message}";
        }

        if (handler.Sleep is { } sleep)
        {
            // The sleep action pauses the caller, not the container: kubelet waits here before stopping the container.
            var pause = TimeSpan.FromSeconds(Math.Max(0, sleep.Seconds));
            await Task.Delay(pause < timeout ? pause : timeout, _services.Time, cancellationToken).ConfigureAwait(false);
            return null;
        }

        return handler.TcpSocket is not null
            ? $"TCPSocket lifecycle hook {who} is deprecated and not supported"
            : null;
    }

    /// <summary>
    /// Runs the container's postStart hook right after StartContainer. On failure the container is killed, as kubelet
    /// does, and waits with reason PostStartHookError until the restart policy brings it back (or stays terminated under
    /// restartPolicy Never). True when it ran clean.
    /// </summary>
    private async Task<bool> RunPostStartAsync(SyncContext context, V1Container container, string containerId, CancellationToken cancellationToken)
    {
        if (container.Lifecycle?.PostStart is not { } postStart)
        {
            return true;
        }

        var pod = context.Pod;
        var failure = await RunHookAsync(pod, container, postStart, containerId, HookTimeout, cancellationToken).ConfigureAwait(false);
        if (failure is null)
        {
            return true;
        }

        Publish(pod, PodEvent.Warning("FailedPostStartHook", failure, FieldPath(container)));
        LogKilling(_logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name, container.Name, containerId, "FailedPostStartHook");
        await KillAsync(pod, container, containerId, Grace(pod), cancellationToken).ConfigureAwait(false);
        if (pod.Spec.RestartPolicy != "Never")
        {
            // kubelet shows the hook's error as the waiting reason only for a container that will be restarted.
            context.State.Waiting[container.Name] = new ContainerWaiting("PostStartHookError", failure);
        }

        return false;
    }

    /// <summary>
    /// activeDeadlineSeconds, counted from status.startTime as kubelet does. Before the deadline a one-shot timer asks
    /// for a sync at the deadline (the periodic resync alone would be up to a period late); after it every container
    /// is killed, the sandbox stopped and the pod keeps a Failed status with reason DeadlineExceeded.
    /// </summary>
    private async Task<V1PodStatus?> EnforceActiveDeadlineAsync(V1Pod pod, PodState state, CancellationToken cancellationToken)
    {
        if (pod.Spec.ActiveDeadlineSeconds is not { } seconds || (state.Status?.StartTime ?? pod.Status?.StartTime) is not { } startTime)
        {
            return null;
        }

        var deadline = new DateTimeOffset(DateTime.SpecifyKind(startTime, DateTimeKind.Utc)) + TimeSpan.FromSeconds(seconds);
        var left = deadline - _services.Time.GetUtcNow();
        if (left > TimeSpan.Zero)
        {
            var uid = pod.Metadata.Uid;
            state.DeadlineTimer ??= _services.Time.CreateTimer(_ => _services.OnProbeChange(uid), null, left, Timeout.InfiniteTimeSpan);
            return null;
        }

        Publish(pod, PodEvent.Warning(DeadlineExceededReason, DeadlineExceededMessage));
        // The kill below may take the whole grace period; the API shows the verdict now, as kubelet's does.
        PublishInterimStatus(pod, state, interim =>
        {
            interim.Phase = "Failed";
            interim.Reason = DeadlineExceededReason;
            interim.Message = DeadlineExceededMessage;
        });

        var status = await StopFinishedPodAsync(pod, state, "activeDeadlineSeconds exceeded", cancellationToken).ConfigureAwait(false);
        status.Phase = "Failed";
        status.Reason = DeadlineExceededReason;
        status.Message = DeadlineExceededMessage;
        state.Final = status;
        return status;
    }

    /// <summary>
    /// A pod the API already shows as Succeeded or Failed — finished before this node role started — is never run
    /// again (kubelet treats a terminal phase as final): whatever still runs is stopped and the pod keeps its status.
    /// </summary>
    private async Task<V1PodStatus?> KeepFinishedAsync(V1Pod pod, PodState state, CancellationToken cancellationToken)
    {
        if (pod.Status?.Phase is not ("Succeeded" or "Failed"))
        {
            return null;
        }

        await StopFinishedPodAsync(pod, state, "pod already finished", cancellationToken).ConfigureAwait(false);
        state.Final = pod.Status;
        return pod.Status;
    }

    /// <summary>
    /// Evicts the pod (the eviction manager decided): its containers are killed with the eviction's grace period, the
    /// pod keeps a Failed status with reason Evicted and kubelet's message, and its content goes at once — containers,
    /// sandbox, volumes (an emptyDir's disk is what pressure may be about) and cgroup — as kubelet's GC does for an
    /// evicted pod. The pod object stays in the API (Failed) until someone deletes it.
    /// </summary>
    public async Task<V1PodStatus> EvictAsync(V1Pod pod, NodeAgent.Node.Eviction.PodEviction eviction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(eviction);
        var uid = pod.Metadata.Uid;
        var state = _pods.GetOrAdd(uid, _ => new PodState());
        if (state.Final is { Reason: NodeAgent.Node.Eviction.PodEviction.Reason } evicted)
        {
            return evicted;
        }

        // kubelet's syncTerminatingPod writes the eviction's status before it kills: the API shows Failed/Evicted
        // while the containers are still stopping.
        PublishInterimStatus(pod, state, interim => NodeAgent.Node.Eviction.EvictionPolicy.Apply(interim, eviction, _services.Time.GetUtcNow().UtcDateTime));

        var status = await StopFinishedPodAsync(pod, state, "Evicted", cancellationToken, TimeSpan.FromSeconds(eviction.GracePeriodSeconds)).ConfigureAwait(false);
        NodeAgent.Node.Eviction.EvictionPolicy.Apply(status, eviction, _services.Time.GetUtcNow().UtcDateTime);
        foreach (var container in await ListContainersAsync(uid, cancellationToken).ConfigureAwait(false))
        {
            await IgnoreNotFound(() => _runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = container.Id }, cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
        }

        foreach (var sandbox in await ListSandboxesAsync(uid, cancellationToken).ConfigureAwait(false))
        {
            await IgnoreNotFound(() => _runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandbox.Id }, cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
        }

        _cgroups.Remove(uid);
        _volumes.TearDown(uid);
        state.Final = status;
        return status;
    }

    /// <summary>Kills what runs, stops the probes and the sandbox; returns the status built from what is left.</summary>
    private async Task<V1PodStatus> StopFinishedPodAsync(V1Pod pod, PodState state, string why, CancellationToken cancellationToken, TimeSpan? grace = null)
    {
        var uid = pod.Metadata.Uid;
        var sandboxes = await ListSandboxesAsync(uid, cancellationToken).ConfigureAwait(false);
        var containers = await ListContainersAsync(uid, cancellationToken).ConfigureAwait(false);
        await KillRunningAsync(pod, containers, grace ?? TimeSpan.FromSeconds(pod.Spec.TerminationGracePeriodSeconds ?? 30), why, cancellationToken).ConfigureAwait(false);
        await _probes.StopPodAsync(uid).ConfigureAwait(false);
        foreach (var sandbox in sandboxes.Where(s => s.State == PodSandboxState.SandboxReady))
        {
            await IgnoreNotFound(() => _runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandbox.Id }, cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
        }

        state.DeadlineTimer?.Dispose();
        state.DeadlineTimer = null;
        var latest = sandboxes.MaxBy(s => s.CreatedAt);
        containers = await ListContainersAsync(uid, cancellationToken).ConfigureAwait(false);
        return BuildStatus(pod, state, latest, latest is null ? containers : containers.Where(c => IsIn(c, latest)).ToList());
    }

    /// <summary>
    /// Reports a copy of the pod's current status changed by <paramref name="change"/> while a long kill runs, unless the
    /// pod already has its final status.
    /// </summary>
    private void PublishInterimStatus(V1Pod pod, PodState state, Action<V1PodStatus> change)
    {
        if (state.Final is null && (state.Status ?? pod.Status) is { } current)
        {
            var interim = KubernetesJson.Deserialize<V1PodStatus>(KubernetesJson.Serialize(current));
            change(interim);
            _services.OnInterimStatus(pod, interim);
        }
    }
}
