using k8s.Models;
using NodeAgent.Cri.V1;

namespace NodeAgent.Node.Pods;

/// <summary>Computes a pod's <see cref="V1PodStatus"/> from CRI state, kubelet's generateAPIPodStatus in small.</summary>
public sealed class PodStatusBuilder(NodeOptions options)
{
    public V1PodStatus Build(V1Pod pod, PodRuntimeState state, V1PodStatus? previous, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(state);
        var spec = pod.Spec;
        var restartPolicy = spec.RestartPolicy ?? "Always";
        var byName = state.Containers
            .GroupBy(c => c.Metadata.Name)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(c => c.Metadata.Attempt).ThenByDescending(c => c.CreatedAt).ToList());

        var initStatuses = (spec.InitContainers ?? []).Select(c => ContainerStatusOf(c, byName, state, "PodInitializing", init: true)).ToList();
        var initialized = initStatuses.All(s => s.State.Terminated is { ExitCode: 0 });
        var appDefault = initialized ? "ContainerCreating" : "PodInitializing";
        var appStatuses = (spec.Containers ?? []).Select(c => ContainerStatusOf(c, byName, state, appDefault, init: false)).ToList();
        var phase = Phase(restartPolicy, initStatuses, appStatuses, initialized);
        var podIP = state.Sandbox?.Network?.Ip;
        if (spec.HostNetwork == true)
        {
            podIP = options.HostIP;
        }

        var status = new V1PodStatus
        {
            Phase = phase,
            HostIP = options.HostIP,
            HostIPs = [new V1HostIP { Ip = options.HostIP }],
            QosClass = QosClass.Of(pod),
            StartTime = previous?.StartTime ?? now.UtcDateTime,
            InitContainerStatuses = initStatuses.Count > 0 ? initStatuses : null,
            ContainerStatuses = appStatuses,
        };
        if (!string.IsNullOrEmpty(podIP))
        {
            status.PodIP = podIP;
            status.PodIPs = [new V1PodIP { Ip = podIP }, .. (state.Sandbox?.Network?.AdditionalIps.Select(ip => new V1PodIP { Ip = ip.Ip }) ?? [])];
        }

        var terminal = phase is "Succeeded" or "Failed";
        var sandboxReady = state.Sandbox?.State == PodSandboxState.SandboxReady && (spec.HostNetwork == true || !string.IsNullOrEmpty(podIP));
        var incompleteInit = (spec.InitContainers ?? []).Zip(initStatuses).Where(p => p.Second.State.Terminated is not { ExitCode: 0 }).Select(p => p.First.Name).ToList();
        var unready = appStatuses.Where(s => !s.Ready).Select(s => s.Name).ToList();
        string? completedReason = phase == "Succeeded" ? "PodCompleted" : null;
        var conditions = new List<V1PodCondition>
        {
            Condition("PodReadyToStartContainers", sandboxReady && !terminal, null, null),
            Condition("Initialized", initialized, completedReason ?? "ContainersNotInitialized", $"containers with incomplete status: [{string.Join(' ', incompleteInit)}]"),
            Condition("Ready", unready.Count == 0 && !terminal, completedReason ?? "ContainersNotReady", $"containers with unready status: [{string.Join(' ', unready)}]"),
            Condition("ContainersReady", unready.Count == 0 && !terminal, completedReason ?? "ContainersNotReady", $"containers with unready status: [{string.Join(' ', unready)}]"),
            Condition("PodScheduled", true, null, null),
        };
        if (initialized && completedReason is not null)
        {
            conditions[1].Reason = completedReason;
        }

        foreach (var condition in conditions)
        {
            var old = previous?.Conditions?.FirstOrDefault(c => c.Type == condition.Type);
            // A transition time only moves when the status does.
            condition.LastTransitionTime = old is not null && old.Status == condition.Status ? old.LastTransitionTime : now.UtcDateTime;
        }

        status.Conditions = conditions;
        return status;

        static V1PodCondition Condition(string type, bool ok, string? reason, string? message) => ok
            ? new V1PodCondition { Type = type, Status = "True" }
            : new V1PodCondition { Type = type, Status = "False", Reason = reason, Message = reason == "PodCompleted" ? null : message };
    }

    private V1ContainerStatus ContainerStatusOf(V1Container container, Dictionary<string, List<ContainerStatus>> byName, PodRuntimeState state, string defaultWaiting, bool init)
    {
        var attempts = byName.TryGetValue(container.Name, out var list) ? list : [];
        var current = attempts.FirstOrDefault();
        var status = new V1ContainerStatus
        {
            Name = container.Name,
            Image = container.Image,
            ImageID = string.Empty,
            RestartCount = (int)(current?.Metadata.Attempt ?? 0),
            State = new V1ContainerState(),
            Ready = false,
            Started = false,
        };
        state.Waiting.TryGetValue(container.Name, out var waiting);
        if (current is null)
        {
            status.State.Waiting = new V1ContainerStateWaiting { Message = waiting?.Message, Reason = waiting?.Reason ?? defaultWaiting };
            return status;
        }

        status.ContainerID = $"{options.RuntimeName}://{current.Id}";
        status.ImageID = current.ImageRef;
        if (current.State == ContainerState.ContainerRunning)
        {
            status.State.Running = new V1ContainerStateRunning { StartedAt = FromNanos(current.StartedAt) };
            var started = state.Started.TryGetValue(current.Id, out var s) ? s : true;
            status.Started = started;
            status.Ready = !init && started && (state.Readiness.TryGetValue(current.Id, out var r) ? r : true);
            if (attempts.Skip(1).FirstOrDefault(a => a.State == ContainerState.ContainerExited) is { } last)
            {
                status.LastState = new V1ContainerState { Terminated = Terminated(last, container) };
            }
        }
        else if (current.State == ContainerState.ContainerExited)
        {
            if (waiting is not null)
            {
                // Exited and about to restart: waiting now, the exit becomes lastState (kubelet's CrashLoopBackOff view).
                status.State.Waiting = new V1ContainerStateWaiting { Message = waiting.Message, Reason = waiting.Reason };
                status.LastState = new V1ContainerState { Terminated = Terminated(current, container) };
            }
            else
            {
                status.State.Terminated = Terminated(current, container);
                if (attempts.Skip(1).FirstOrDefault(a => a.State == ContainerState.ContainerExited) is { } last)
                {
                    status.LastState = new V1ContainerState { Terminated = Terminated(last, container) };
                }
            }
        }
        else
        {
            status.State.Waiting = new V1ContainerStateWaiting { Message = waiting?.Message, Reason = waiting?.Reason ?? "ContainerCreating" };
        }

        // kubelet's prober manager: an init container that exited 0 is ready.
        if (init && status.State.Terminated is { ExitCode: 0 })
        {
            status.Ready = true;
        }

        return status;
    }

    private V1ContainerStateTerminated Terminated(ContainerStatus c, V1Container container) => new()
    {
        ExitCode = c.ExitCode,
        Reason = string.IsNullOrEmpty(c.Reason) ? (c.ExitCode == 0 ? "Completed" : "Error") : c.Reason,
        Message = string.IsNullOrEmpty(c.Message) ? TerminationMessage.Read(options, c, container) : c.Message,
        StartedAt = FromNanos(c.StartedAt),
        FinishedAt = FromNanos(c.FinishedAt),
        ContainerID = $"{options.RuntimeName}://{c.Id}",
    };

    internal static DateTime? FromNanos(long nanos) => nanos <= 0 ? null : DateTimeOffset.UnixEpoch.AddTicks(nanos / 100).UtcDateTime;

    /// <summary>kubelet's getPhase: waiting → Pending, anything running → Running, all stopped → per restartPolicy.</summary>
    private static string Phase(string restartPolicy, List<V1ContainerStatus> init, List<V1ContainerStatus> app, bool initialized)
    {
        if (!initialized)
        {
            var failedInit = init.Any(s => s.State.Terminated is { ExitCode: not 0 } || (s.State.Waiting is not null && s.LastState?.Terminated is { ExitCode: not 0 }));
            return failedInit && restartPolicy == "Never" ? "Failed" : "Pending";
        }

        int running = 0, waiting = 0, stopped = 0, succeeded = 0;
        foreach (var s in app)
        {
            if (s.State.Running is not null)
            {
                running++;
            }
            else if (s.State.Terminated is { } t)
            {
                stopped++;
                if (t.ExitCode == 0)
                {
                    succeeded++;
                }
            }
            else if (s.LastState?.Terminated is not null)
            {
                // Waiting to restart after having run: the pod is still running, just restarting this container.
                stopped++;
            }
            else
            {
                waiting++;
            }
        }

        if (waiting > 0)
        {
            return "Pending";
        }

        if (running > 0)
        {
            return "Running";
        }

        if (stopped > 0)
        {
            if (restartPolicy == "Always")
            {
                return "Running";
            }

            if (stopped == succeeded)
            {
                return "Succeeded";
            }

            return restartPolicy == "Never" ? "Failed" : "Running";
        }

        return "Pending";
    }
}
