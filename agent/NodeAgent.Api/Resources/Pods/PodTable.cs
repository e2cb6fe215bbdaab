using System.Globalization;
using k8s.Models;

namespace NodeAgent.Api.Resources.Pods;

/// <summary>The pod row of <c>kubectl get pods</c>, computed as upstream's printPod does (1.32).</summary>
public static class PodTable
{
    public static readonly IReadOnlyList<TableColumn> Columns =
    [
        new("Name", "string", "Name must be unique within a namespace.", Format: "name"),
        new("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
        new("Status", "string", "The aggregate status of the containers in this pod."),
        new("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
        new("Age", "string", "CreationTimestamp is a timestamp representing the server time when this object was created."),
        new("IP", "string", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", Priority: 1),
        new("Node", "string", "NodeName indicates in which node this pod is scheduled.", Priority: 1),
        new("Nominated Node", "string", "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.", Priority: 1),
        new("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness.", Priority: 1),
    ];

    public static IReadOnlyList<object?> Cells(V1Pod pod, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var spec = pod.Spec ?? new V1PodSpec();
        var status = pod.Status ?? new V1PodStatus();
        var state = new RowState(status.Phase ?? "");
        if (!string.IsNullOrEmpty(status.Reason))
        {
            state.Reason = status.Reason;
        }

        if (status.Conditions?.Any(c => c.Type == "PodScheduled" && c.Reason == "SchedulingGated") == true)
        {
            state.Reason = "SchedulingGated";
        }

        var initContainers = (spec.InitContainers ?? []).ToDictionary(c => c.Name ?? "", StringComparer.Ordinal);
        var total = (spec.Containers?.Count ?? 0) + initContainers.Values.Count(IsRestartable);
        var initializing = InitContainers(status, initContainers, state);
        if (!initializing || status.Conditions?.Any(c => c.Type == "Initialized" && c.Status == "True") == true)
        {
            Containers(status, state);
        }

        if (pod.Metadata?.DeletionTimestamp is not null && status.Reason == "NodeLost")
        {
            state.Reason = "Unknown";
        }
        else if (pod.Metadata?.DeletionTimestamp is not null && status.Phase is not ("Succeeded" or "Failed"))
        {
            state.Reason = "Terminating";
        }

        var restarts = state.Restarts.ToString(CultureInfo.InvariantCulture);
        if (state.Restarts != 0 && state.LastRestart is { } last)
        {
            restarts = $"{restarts} ({TableFormat.Age(last, now)} ago)";
        }

        var ip = status.PodIPs?.FirstOrDefault()?.Ip ?? status.PodIP;
        return
        [
            pod.Metadata?.Name,
            $"{state.Ready}/{total}",
            state.Reason,
            restarts,
            TableFormat.Age(pod.Metadata?.CreationTimestamp, now),
            OrNone(ip),
            OrNone(spec.NodeName),
            OrNone(status.NominatedNodeName),
            ReadinessGates(spec, status),
        ];
    }

    private static bool InitContainers(V1PodStatus status, Dictionary<string, V1Container> specs, RowState state)
    {
        var statuses = status.InitContainerStatuses ?? [];
        var restartableRestarts = 0;
        DateTime? restartableLast = null;
        var initializing = false;
        for (var i = 0; i < statuses.Count; i++)
        {
            var container = statuses[i];
            var restartable = specs.TryGetValue(container.Name ?? "", out var spec) && IsRestartable(spec);
            state.Restarts += container.RestartCount;
            state.NoteRestart(container.LastState?.Terminated?.FinishedAt);
            if (restartable)
            {
                restartableRestarts += container.RestartCount;
                restartableLast = Later(restartableLast, container.LastState?.Terminated?.FinishedAt);
            }

            var terminated = container.State?.Terminated;
            var waiting = container.State?.Waiting;
            if (terminated is { ExitCode: 0 })
            {
                continue;
            }

            if (restartable && container.Started == true)
            {
                if (container.Ready)
                {
                    state.Ready++;
                }

                continue;
            }

            if (terminated is not null)
            {
                state.Reason = !string.IsNullOrEmpty(terminated.Reason)
                    ? "Init:" + terminated.Reason
                    : terminated.Signal is { } signal and not 0 ? Inv($"Init:Signal:{signal}") : Inv($"Init:ExitCode:{terminated.ExitCode}");
            }
            else if (!string.IsNullOrEmpty(waiting?.Reason) && waiting.Reason != "PodInitializing")
            {
                state.Reason = "Init:" + waiting.Reason;
            }
            else
            {
                state.Reason = Inv($"Init:{i}/{specs.Count}");
            }

            initializing = true;
            break;
        }

        state.RestartableRestarts = restartableRestarts;
        state.RestartableLast = restartableLast;
        return initializing;
    }

    private static void Containers(V1PodStatus status, RowState state)
    {
        // Once initialised, only restartable (sidecar) init containers count towards restarts.
        state.Restarts = state.RestartableRestarts;
        state.LastRestart = state.RestartableLast;
        var hasRunning = false;
        var statuses = status.ContainerStatuses ?? [];
        for (var i = statuses.Count - 1; i >= 0; i--)
        {
            var container = statuses[i];
            state.Restarts += container.RestartCount;
            state.NoteRestart(container.LastState?.Terminated?.FinishedAt);
            var waiting = container.State?.Waiting;
            var terminated = container.State?.Terminated;
            if (!string.IsNullOrEmpty(waiting?.Reason))
            {
                state.Reason = waiting.Reason;
            }
            else if (terminated is not null && !string.IsNullOrEmpty(terminated.Reason))
            {
                state.Reason = terminated.Reason;
            }
            else if (terminated is not null)
            {
                state.Reason = terminated.Signal is { } signal and not 0 ? Inv($"Signal:{signal}") : Inv($"ExitCode:{terminated.ExitCode}");
            }
            else if (container.Ready && container.State?.Running is not null)
            {
                hasRunning = true;
                state.Ready++;
            }
        }

        // A pod whose last container completed but another still runs is Running (or NotReady).
        if (state.Reason == "Completed" && hasRunning)
        {
            state.Reason = status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true ? "Running" : "NotReady";
        }
    }

    private static string ReadinessGates(V1PodSpec spec, V1PodStatus status)
    {
        var gates = spec.ReadinessGates ?? [];
        if (gates.Count == 0)
        {
            return "<none>";
        }

        var ready = gates.Count(g => status.Conditions?.FirstOrDefault(c => c.Type == g.ConditionType)?.Status == "True");
        return Inv($"{ready}/{gates.Count}");
    }

    private static bool IsRestartable(V1Container container) => container.RestartPolicy == "Always";

    private static string OrNone(string? value) => string.IsNullOrEmpty(value) ? "<none>" : value;

    private static DateTime? Later(DateTime? a, DateTime? b) => a is null || (b is not null && b > a) ? b : a;

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>The mutable tallies of one row while walking the container statuses.</summary>
    private sealed class RowState(string reason)
    {
        public string Reason { get; set; } = reason;

        public int Ready { get; set; }

        public int Restarts { get; set; }

        public DateTime? LastRestart { get; set; }

        public int RestartableRestarts { get; set; }

        public DateTime? RestartableLast { get; set; }

        public void NoteRestart(DateTime? finishedAt) => LastRestart = Later(LastRestart, finishedAt);
    }
}
