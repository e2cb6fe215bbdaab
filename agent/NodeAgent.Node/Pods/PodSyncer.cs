using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using NodeAgent.Cri;
using NodeAgent.Cri.Diagnostics;
using NodeAgent.Cri.V1;
using NodeAgent.Node.Images;
using NodeAgent.Node.Probes;
using NodeAgent.Node.Volumes;
using k8s.Models;

namespace NodeAgent.Node.Pods;

/// <summary>What a <see cref="PodSyncer"/> works with.</summary>
public sealed record PodSyncerServices
{
    public required NodeOptions Options { get; init; }

    public required CriClient Cri { get; init; }

    public required IPodObjectSource Objects { get; init; }

    public required IPodEventSink Events { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public IMounter Mounter { get; init; } = new LinuxMounter();

    public HttpClient Http { get; init; } = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = true, PooledConnectionLifetime = TimeSpan.Zero });

    /// <summary>CrashLoopBackOff timing; tests shorten it.</summary>
    public RestartBackoff? ContainerBackoff { get; init; }

    /// <summary>ImagePullBackOff timing.</summary>
    public RestartBackoff? ImageBackoff { get; init; }

    /// <summary>Called with a pod uid when a probe result changes, so its worker resyncs now.</summary>
    public Action<string> OnProbeChange { get; init; } = _ => { };

    /// <summary>
    /// A status to report at once, before a long step of the sync (killing with the grace period) ends — kubelet's
    /// status manager shows a pod past its activeDeadlineSeconds as Failed while its containers are still stopping.
    /// </summary>
    public Action<V1Pod, V1PodStatus> OnInterimStatus { get; init; } = (_, _) => { };

    public ILoggerFactory LoggerFactory { get; init; } = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
}

/// <summary>
/// One level-triggered sync of a pod against a CRI runtime: sandbox, volumes, images, init containers in order, app
/// containers with restartPolicy and CrashLoopBackOff, liveness kills, graceful termination. Not thread-safe per pod:
/// <see cref="PodWorkers"/> guarantees one sync of a pod at a time.
/// </summary>
public sealed partial class PodSyncer : IAsyncDisposable
{
    private const int KeepExitedPerContainer = 2;
    private static readonly TimeSpan MinGraceAfterPreStop = TimeSpan.FromSeconds(2);

    private readonly PodSyncerServices _services;
    private readonly NodeOptions _options;
    private readonly RuntimeService.RuntimeServiceClient _runtime;
    private readonly ImageService.ImageServiceClient _images;
    private readonly ImagePuller _puller;
    private readonly SandboxConfigBuilder _sandboxes;
    private readonly ContainerConfigBuilder _containers;
    private readonly PodStatusBuilder _statuses;
    private readonly VolumeManager _volumes;
    private readonly PodCgroups _cgroups;
    private readonly ProbeRunner _probeRunner;
    private readonly ProbeManager _probes;
    private readonly RestartBackoff _backoff;
    private readonly RestartBackoff _imageBackoff;
    private readonly ConcurrentDictionary<string, PodState> _pods = new(StringComparer.Ordinal);
    private readonly ILogger<PodSyncer> _logger;

    public PodSyncer(PodSyncerServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        _services = services;
        _options = services.Options;
        _runtime = services.Cri.Runtime;
        _images = services.Cri.Images;
        _puller = new ImagePuller(_images, services.Objects, services.Events);
        _sandboxes = new SandboxConfigBuilder(_options);
        _cgroups = new PodCgroups(_options.CgroupRoot);
        _containers = new ContainerConfigBuilder(_options, services.Objects);
        _statuses = new PodStatusBuilder(_options);
        _volumes = new VolumeManager(_options, services.Objects, services.Mounter, services.Time);
        _probeRunner = new ProbeRunner(_runtime, services.Http);
        _probes = new ProbeManager(_probeRunner.RunAsync, services.Time, services.OnProbeChange, services.Events, services.LoggerFactory.CreateLogger<ProbeManager>());
        _backoff = services.ContainerBackoff ?? new RestartBackoff(services.Time);
        _imageBackoff = services.ImageBackoff ?? new RestartBackoff(services.Time);
        _logger = services.LoggerFactory.CreateLogger<PodSyncer>();
    }

    public VolumeManager Volumes => _volumes;

    /// <summary>Converges the runtime towards <paramref name="pod"/> and returns its status. A pod with a deletionTimestamp is terminated.</summary>
    public async Task<V1PodStatus> SyncAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            return await TerminateAsync(pod, null, cancellationToken).ConfigureAwait(false);
        }

        var uid = pod.Metadata.Uid;
        var state = _pods.GetOrAdd(uid, _ => new PodState());
        if (state.Final is { } final)
        {
            return final;
        }

        if (await KeepFinishedAsync(pod, state, cancellationToken).ConfigureAwait(false) is { } finished)
        {
            return finished;
        }

        if (await EnforceActiveDeadlineAsync(pod, state, cancellationToken).ConfigureAwait(false) is { } deadlineExceeded)
        {
            return deadlineExceeded;
        }

        var steps = new StepTimer();
        var sandboxes = await ListSandboxesAsync(uid, cancellationToken).ConfigureAwait(false);
        var sandbox = sandboxes.Where(s => s.State == PodSandboxState.SandboxReady).MaxBy(s => s.CreatedAt);
        steps.Mark("sandboxes");

        // A new pod (no sandbox yet, volumes never failed): its sandbox starts while its volumes are set up and its
        // containers listed, none of which the sandbox needs. Should a volume fail, the sandbox is removed again, so
        // the pod looks as kubelet leaves it (FailedMount, no sandbox) and the next attempts go one step at a time.
        var early = sandboxes.Count == 0 && !state.VolumesFailed
            ? RunSandboxTimedAsync(pod, steps, cancellationToken)
            : null;
        // Whether its images are present is asked meanwhile too; the Pulled events still follow the sandbox.
        var images = early is not null ? ImagePresence(pod, cancellationToken) : null;

        IReadOnlyDictionary<string, string> volumePaths;
        List<ContainerStatus> all;
        try
        {
            volumePaths = await _volumes.SetUpAsync(pod, cancellationToken).ConfigureAwait(false);
            steps.Mark("volumes");
            all = await ListContainersAsync(uid, cancellationToken).ConfigureAwait(false);
            steps.Mark("containers");
        }
        catch (VolumeException e)
        {
            state.VolumesFailed = true;
            await ObserveAsync(images).ConfigureAwait(false);
            await RemoveEarlySandboxAsync(early).ConfigureAwait(false);
            Publish(pod, PodEvent.Warning("FailedMount", e.Message));
            state.Status = _statuses.Build(pod, new PodRuntimeState { Waiting = WaitingAll(pod, "ContainerCreating", e.Message) }, state.Status, _services.Time.GetUtcNow());
            return state.Status;
        }
        catch when (early is not null)
        {
            // The sandbox stays for the retry (the next sync finds it ready); only its outcome is observed here.
            await ObserveAsync(images).ConfigureAwait(false);
            await ((Task)early).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        state.VolumesFailed = false;
        if (early is not null)
        {
            // A new sandbox has no containers; the list above already has every earlier one (for attempt numbers).
            try
            {
                sandbox = await early.ConfigureAwait(false);
            }
            catch
            {
                await ObserveAsync(images).ConfigureAwait(false);
                throw;
            }

            steps.Mark("sandbox-wait");
        }
        else if (sandbox is null)
        {
            sandbox = await RecreateSandboxAsync(pod, sandboxes, all, cancellationToken).ConfigureAwait(false);
            all = await ListContainersAsync(uid, cancellationToken).ConfigureAwait(false);
            steps.Mark("sandbox");
        }

        var sandboxConfig = _sandboxes.Build(pod, sandbox.Metadata.Attempt);
        var context = new SyncContext(pod, state, sandbox, sandboxConfig, volumePaths, all) { Steps = steps, Images = images };
        context.Current = all.Where(c => IsIn(c, sandbox)).ToList();

        try
        {
            var initDone = await SyncInitContainersAsync(context, cancellationToken).ConfigureAwait(false);
            if (initDone)
            {
                await SyncAppContainersAsync(context, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // Answers for containers this sync did not reach (init containers first) are dropped, not kept for later.
            await ObserveAsync(images).ConfigureAwait(false);
        }

        steps.Mark("other");
        var statuses = await ListContainersAsync(uid, cancellationToken).ConfigureAwait(false);
        var inSandbox = statuses.Where(c => IsIn(c, sandbox)).ToList();
        await PruneAsync(inSandbox, cancellationToken).ConfigureAwait(false);
        var status = BuildStatus(pod, state, sandbox, inSandbox);
        steps.Mark("status");
        if (early is not null || context.Started > 0)
        {
            LogSyncSteps(_logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name, steps);
        }

        if (status.Phase is "Succeeded" or "Failed")
        {
            // A finished pod keeps its final status; its sandbox is stopped so its address and processes are released.
            await KillRunningAsync(pod, inSandbox, TimeSpan.FromSeconds(pod.Spec.TerminationGracePeriodSeconds ?? 30), "pod finished", cancellationToken).ConfigureAwait(false);
            await _probes.StopPodAsync(uid).ConfigureAwait(false);
            await _runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandbox.Id }, cancellationToken: cancellationToken).ConfigureAwait(false);
            state.DeadlineTimer?.Dispose();
            state.DeadlineTimer = null;
            state.Final = status;
        }

        return status;
    }

    /// <summary>
    /// Stops every container (preStop, then StopContainer with the grace period), then removes the containers, the
    /// sandbox and the volumes. Returns the last status, with the containers' exit codes.
    /// </summary>
    public async Task<V1PodStatus> TerminateAsync(V1Pod pod, long? gracePeriodSeconds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var uid = pod.Metadata.Uid;
        var state = _pods.GetOrAdd(uid, _ => new PodState());
        var grace = TimeSpan.FromSeconds(gracePeriodSeconds ?? pod.Metadata.DeletionGracePeriodSeconds ?? pod.Spec.TerminationGracePeriodSeconds ?? 30);
        var sandboxes = await ListSandboxesAsync(uid, cancellationToken).ConfigureAwait(false);
        var all = await ListContainersAsync(uid, cancellationToken).ConfigureAwait(false);
        await KillRunningAsync(pod, all, grace, "Stopping container", cancellationToken).ConfigureAwait(false);
        await _probes.StopPodAsync(uid).ConfigureAwait(false);

        var latest = sandboxes.MaxBy(s => s.CreatedAt);
        all = await ListContainersAsync(uid, cancellationToken).ConfigureAwait(false);
        var status = state.Final ?? BuildStatus(pod, state, latest, latest is null ? all : all.Where(c => IsIn(c, latest)).ToList());

        foreach (var container in all)
        {
            await IgnoreNotFound(() => _runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = container.Id }, cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
        }

        foreach (var sandbox in sandboxes)
        {
            await IgnoreNotFound(() => _runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandbox.Id }, cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
            await IgnoreNotFound(() => _runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandbox.Id }, cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
        }

        _cgroups.Remove(uid);
        _volumes.TearDown(uid);
        // The pod's log directory goes with its containers (kubelet removes it once the pod is gone), or
        // /var/log/pods fills with the logs of every pod the node ever ran.
        var logDirectory = _sandboxes.LogDirectory(pod);
        if (Directory.Exists(logDirectory))
        {
            Directory.Delete(logDirectory, recursive: true);
        }

        _backoff.ForgetPod(uid);
        _imageBackoff.ForgetPod(uid);
        state.DeadlineTimer?.Dispose();
        _pods.TryRemove(uid, out _);
        LogTerminated(_logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name, uid);
        return status;
    }

    public ValueTask DisposeAsync() => _probes.DisposeAsync();

    private static bool IsIn(ContainerStatus c, PodSandboxStatus sandbox) => c.Annotations.TryGetValue(SandboxAnnotation, out var id) && id == sandbox.Id;

    private const string SandboxAnnotation = "io.nodeagent.sandbox.id";

    private async Task<PodSandboxStatus> RecreateSandboxAsync(V1Pod pod, List<PodSandboxStatus> old, List<ContainerStatus> containers, CancellationToken cancellationToken)
    {
        // A dead sandbox takes its containers with it: stop what is left, then start over in a new one (kubelet's SandboxChanged).
        if (old.Count > 0)
        {
            Publish(pod, PodEvent.Normal("SandboxChanged", "Pod sandbox changed, it will be killed and re-created."));
            await KillRunningAsync(pod, containers, TimeSpan.FromSeconds(pod.Spec.TerminationGracePeriodSeconds ?? 30), "sandbox changed", cancellationToken).ConfigureAwait(false);
            foreach (var s in old)
            {
                await IgnoreNotFound(() => _runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = s.Id }, cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
            }
        }

        var attempt = old.Count == 0 ? 0u : old.Max(s => s.Metadata.Attempt) + 1;
        var config = _sandboxes.Build(pod, attempt);
        Directory.CreateDirectory(config.LogDirectory);
        var id = (await _runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config }, cancellationToken: cancellationToken).ConfigureAwait(false)).PodSandboxId;
        LogSandboxStarted(_logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name, id, attempt);
        return (await _runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = id }, cancellationToken: cancellationToken).ConfigureAwait(false)).Status;
    }

    private async Task<PodSandboxStatus> RunSandboxTimedAsync(V1Pod pod, StepTimer steps, CancellationToken cancellationToken)
    {
        // Yield first, so the volume set-up starts at once instead of after the sandbox request was sent.
        await Task.Yield();
        var watch = Stopwatch.StartNew();
        var sandbox = await RecreateSandboxAsync(pod, [], [], cancellationToken).ConfigureAwait(false);
        steps.Add("sandbox", watch.Elapsed);
        return sandbox;
    }

    /// <summary>ImageStatus of each image of the pod, asked at once (each answer is used once, by the first container with that image).</summary>
    private Dictionary<string, Task<bool>> ImagePresence(V1Pod pod, CancellationToken cancellationToken)
        => (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers ?? [])
            .Select(c => c.Image)
            .Where(i => !string.IsNullOrEmpty(i))
            .Distinct(StringComparer.Ordinal)
            .ToDictionary(i => i, i => IsPresentAsync(i, cancellationToken), StringComparer.Ordinal);

    private async Task<bool> IsPresentAsync(string image, CancellationToken cancellationToken)
        => (await _images.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = image } }, cancellationToken: cancellationToken).ConfigureAwait(false)).Image is not null;

    /// <summary>Waits for answers nobody will read, so a failed one is observed (the sync failed or stopped before its containers).</summary>
    private static async Task ObserveAsync(Dictionary<string, Task<bool>>? images)
    {
        if (images is null)
        {
            return;
        }

        foreach (var answer in images.Values)
        {
            await ((Task)answer).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Stops and removes a sandbox started beside a volume set-up that failed (kubelet mounts before it creates one).</summary>
    private async Task RemoveEarlySandboxAsync(Task<PodSandboxStatus>? early)
    {
        if (early is null)
        {
            return;
        }

        PodSandboxStatus sandbox;
        try
        {
            sandbox = await early.ConfigureAwait(false);
        }
        catch (RpcException)
        {
            // It never came up; the runtime rolled it back.
            return;
        }

        // Cleanup has its own deadline, not the sync's token: a cancelled sync would leave a sandbox kubelet never made.
        using var cleanup = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await IgnoreNotFound(() => _runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandbox.Id }, cancellationToken: cleanup.Token).ResponseAsync).ConfigureAwait(false);
        await IgnoreNotFound(() => _runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandbox.Id }, cancellationToken: cleanup.Token).ResponseAsync).ConfigureAwait(false);
    }

    /// <returns>True when every init container has completed.</returns>
    private async Task<bool> SyncInitContainersAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var pod = context.Pod;
        foreach (var init in pod.Spec.InitContainers ?? [])
        {
            var latest = Latest(context.Current, init.Name);
            if (latest is null)
            {
                await StartAsync(context, init, cancellationToken).ConfigureAwait(false);
                return false;
            }

            if (latest.State is ContainerState.ContainerRunning or ContainerState.ContainerCreated or ContainerState.ContainerUnknown)
            {
                return false;
            }

            if (latest.ExitCode == 0)
            {
                continue;
            }

            // A failed init container is retried unless the pod never restarts (then the pod fails).
            if ((pod.Spec.RestartPolicy ?? "Always") != "Never")
            {
                await RestartWithBackoffAsync(context, init, latest, cancellationToken).ConfigureAwait(false);
            }

            return false;
        }

        return true;
    }

    private async Task SyncAppContainersAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var pod = context.Pod;
        var policy = pod.Spec.RestartPolicy ?? "Always";
        foreach (var container in pod.Spec.Containers ?? [])
        {
            var latest = Latest(context.Current, container.Name);
            if (latest is null)
            {
                await StartAsync(context, container, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (latest.State == ContainerState.ContainerRunning)
            {
                if (_probes.Result(latest.Id, ProbeKind.Liveness) == false || _probes.Result(latest.Id, ProbeKind.Startup) == false && StartupGaveUp(latest, container))
                {
                    var liveness = _probes.Result(latest.Id, ProbeKind.Liveness) == false;
                    var which = liveness ? "liveness" : "startup";
                    // Recorded at the decision, before the kill's grace period; the status keeps showing the container
                    // running until it has exited, as kubelet's (its pod worker is busy in the same kill).
                    Publish(pod, PodEvent.Normal("Killing", $"Container {container.Name} failed {which} probe, will be restarted", FieldPath(container)));
                    var grace = Grace(pod, liveness ? container.LivenessProbe : container.StartupProbe);
                    await KillAsync(pod, container, latest.Id, grace, cancellationToken).ConfigureAwait(false);
                    latest = await StatusAsync(latest.Id, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    continue;
                }
            }

            if (latest.State != ContainerState.ContainerExited)
            {
                continue;
            }

            var restart = policy == "Always" || (policy == "OnFailure" && latest.ExitCode != 0);
            if (restart)
            {
                await RestartWithBackoffAsync(context, container, latest, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private bool StartupGaveUp(ContainerStatus latest, V1Container container)
    {
        // The startup probe's result only flips to false after it had succeeded, which it never does; failing
        // failureThreshold times from the start shows as "no success after initialDelay + threshold × period".
        var probe = container.StartupProbe!;
        var budget = TimeSpan.FromSeconds((probe.InitialDelaySeconds ?? 0) + ((probe.FailureThreshold ?? 3) * (probe.PeriodSeconds ?? 10)));
        var started = PodStatusBuilder.FromNanos(latest.StartedAt);
        return started is { } s && _services.Time.GetUtcNow() - s > budget;
    }

    private async Task RestartWithBackoffAsync(SyncContext context, V1Container container, ContainerStatus exited, CancellationToken cancellationToken)
    {
        var pod = context.Pod;
        var key = RestartBackoff.Key(pod.Metadata.Uid, container.Name);
        var finished = PodStatusBuilder.FromNanos(exited.FinishedAt) is { } f ? new DateTimeOffset(f, TimeSpan.Zero) : _services.Time.GetUtcNow();
        var remaining = _backoff.Remaining(key, finished);
        if (remaining > TimeSpan.Zero)
        {
            var delay = _backoff.Delay(key);
            var message = $"back-off {GoDuration.Format(delay)} restarting failed container={container.Name} pod={pod.Metadata.Name}_{SandboxConfigBuilder.Namespace(pod)}({pod.Metadata.Uid})";
            if (!context.State.Waiting.TryGetValue(container.Name, out var w) || w.Reason != "CrashLoopBackOff")
            {
                Publish(pod, PodEvent.Warning("BackOff", $"Back-off restarting failed container {container.Name} in pod {pod.Metadata.Name}_{SandboxConfigBuilder.Namespace(pod)}({pod.Metadata.Uid})", FieldPath(container)));
            }

            context.State.Waiting[container.Name] = new ContainerWaiting("CrashLoopBackOff", message);
            return;
        }

        // kubelet's doBackOff: no entry before the first restart, so it goes at once after any failure (a crash, a
        // failed postStart hook, a liveness kill); a restart let through counts at once, even when its start then
        // fails (CreateContainerError, a failed pull), so the next attempt waits.
        var started = PodStatusBuilder.FromNanos(exited.StartedAt);
        var ranFor = started is { } s ? finished - new DateTimeOffset(s, TimeSpan.Zero) : TimeSpan.Zero;
        _backoff.Next(key, ranFor);
        await StartAsync(context, container, cancellationToken).ConfigureAwait(false);
    }

    /// <returns>True when the container was created and started.</returns>
    private async Task<bool> StartAsync(SyncContext context, V1Container container, CancellationToken cancellationToken)
    {
        var pod = context.Pod;
        var waiting = context.State.Waiting;
        if (!await EnsureImageAsync(context, container, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        context.Steps.Mark("image");
        var attempt = context.All.Where(c => c.Metadata.Name == container.Name).Select(c => (int)c.Metadata.Attempt + 1).DefaultIfEmpty(0).Max();
        ContainerConfig config;
        try
        {
            config = await _containers.BuildAsync(
                new ContainerBuildContext(pod, container, attempt) { PodIP = context.Sandbox.Network?.Ip, VolumePaths = context.VolumePaths },
                cancellationToken).ConfigureAwait(false);
        }
        catch (ContainerConfigException e)
        {
            Publish(pod, PodEvent.Warning("Failed", "Error: " + e.Message, FieldPath(container)));
            waiting[container.Name] = new ContainerWaiting(e.Reason, e.Message);
            return false;
        }

        if (TerminationMessage.Prepare(_options, pod, container, (uint)attempt) is { } terminationLog)
        {
            config.Mounts.Add(terminationLog);
        }

        config.Annotations[SandboxAnnotation] = context.Sandbox.Id;
        context.Steps.Mark("config");
        try
        {
            var id = (await _runtime.CreateContainerAsync(
                new CreateContainerRequest { PodSandboxId = context.Sandbox.Id, Config = config, SandboxConfig = context.SandboxConfig },
                cancellationToken: cancellationToken).ConfigureAwait(false)).ContainerId;
            context.Steps.Mark("create");
            Publish(pod, PodEvent.Normal("Created", $"Created container {container.Name}", FieldPath(container)));
            await _runtime.StartContainerAsync(new StartContainerRequest { ContainerId = id }, cancellationToken: cancellationToken).ConfigureAwait(false);
            context.Steps.Mark("start");
            context.Started++;
            Publish(pod, PodEvent.Normal("Started", $"Started container {container.Name}", FieldPath(container)));
            LogContainerStarted(_logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name, container.Name, id, attempt);
            waiting.Remove(container.Name);
            if (!await RunPostStartAsync(context, container, id, cancellationToken).ConfigureAwait(false))
            {
                // Started, then killed for its hook: the restart policy and back-off bring it back.
                return true;
            }

            _probes.Start(pod, new ProbeTarget(id, context.Sandbox.Network?.Ip, container));
            return true;
        }
        catch (RpcException e) when (e.StatusCode is not StatusCode.Cancelled)
        {
            Publish(pod, PodEvent.Warning("Failed", "Error: " + e.Status.Detail, FieldPath(container)));
            waiting[container.Name] = new ContainerWaiting("CreateContainerError", e.Status.Detail);
            return false;
        }
    }

    private async Task<bool> EnsureImageAsync(SyncContext context, V1Container container, CancellationToken cancellationToken)
    {
        var pod = context.Pod;
        var image = container.Image;
        var policy = container.ImagePullPolicy ?? DefaultPullPolicy(image);
        var present = context.Images is { } asked && asked.Remove(image, out var answer)
            ? await answer.ConfigureAwait(false)
            : await IsPresentAsync(image, cancellationToken).ConfigureAwait(false);
        if (policy == "Never")
        {
            if (present)
            {
                return true;
            }

            var message = $"Container image \"{image}\" is not present with pull policy of Never";
            Publish(pod, PodEvent.Warning("ErrImageNeverPull", message, FieldPath(container)));
            // kubelet's startContainer follows every failed EnsureImageExists with "Error: <reason>".
            Publish(pod, PodEvent.Warning("Failed", "Error: ErrImageNeverPull", FieldPath(container)));
            context.State.Waiting[container.Name] = new ContainerWaiting("ErrImageNeverPull", message);
            return false;
        }

        if (present && policy == "IfNotPresent")
        {
            Publish(pod, PodEvent.Normal("Pulled", $"Container image \"{image}\" already present on machine", FieldPath(container)));
            return true;
        }

        var key = RestartBackoff.Key(pod.Metadata.Uid, "image:" + image);
        if (context.State.PullFailedAt.TryGetValue(image, out var failedAt) && _imageBackoff.Remaining(key, failedAt) > TimeSpan.Zero)
        {
            var message = $"Back-off pulling image \"{image}\"";
            Publish(pod, PodEvent.Normal("BackOff", message, FieldPath(container)));
            Publish(pod, PodEvent.Warning("Failed", "Error: ImagePullBackOff", FieldPath(container)));
            context.State.Waiting[container.Name] = new ContainerWaiting("ImagePullBackOff", message);
            return false;
        }

        Publish(pod, PodEvent.Normal("Pulling", $"Pulling image \"{image}\"", FieldPath(container)));
        var watch = Stopwatch.StartNew();
        try
        {
            var reference = await _puller.PullAsync(pod, image, cancellationToken).ConfigureAwait(false);
            var elapsed = watch.Elapsed;
            var size = (await _images.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = reference } }, cancellationToken: cancellationToken).ConfigureAwait(false)).Image?.Size ?? 0;
            Publish(pod, PodEvent.Normal("Pulled", $"Successfully pulled image \"{image}\" in {GoDuration.Format(elapsed)} ({GoDuration.Format(elapsed)} including waiting). Image size: {size} bytes.", FieldPath(container)));
            context.State.PullFailedAt.Remove(image);
            _imageBackoff.Reset(key);
            return true;
        }
        catch (RpcException e) when (e.StatusCode is not StatusCode.Cancelled)
        {
            Publish(pod, PodEvent.Warning("Failed", $"Failed to pull image \"{image}\": {e.Status.Detail}", FieldPath(container)));
            Publish(pod, PodEvent.Warning("Failed", "Error: ErrImagePull", FieldPath(container)));
            context.State.Waiting[container.Name] = new ContainerWaiting("ErrImagePull", e.Status.Detail);
            context.State.PullFailedAt[image] = _services.Time.GetUtcNow();
            _imageBackoff.Next(key);
            return false;
        }
    }

    /// <summary>The API's default: Always for <c>:latest</c> or no tag, IfNotPresent otherwise.</summary>
    public static string DefaultPullPolicy(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Contains('@', StringComparison.Ordinal))
        {
            return "IfNotPresent";
        }

        var lastSlash = image.LastIndexOf('/');
        var colon = image.IndexOf(':', lastSlash + 1);
        return colon < 0 || image[(colon + 1)..] == "latest" ? "Always" : "IfNotPresent";
    }

    private async Task KillRunningAsync(V1Pod pod, IEnumerable<ContainerStatus> containers, TimeSpan grace, string why, CancellationToken cancellationToken)
    {
        var specs = (pod.Spec.Containers ?? []).Concat(pod.Spec.InitContainers ?? []).ToDictionary(c => c.Name);
        var kills = containers
            .Where(c => c.State is ContainerState.ContainerRunning or ContainerState.ContainerCreated)
            .Select(c =>
            {
                var spec = specs.GetValueOrDefault(c.Metadata.Name);
                if (spec is not null)
                {
                    Publish(pod, PodEvent.Normal("Killing", $"Stopping container {spec.Name}", FieldPath(spec)));
                }

                LogKilling(_logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name, c.Metadata.Name, c.Id, why);
                return KillAsync(pod, spec, c.Id, grace, cancellationToken);
            });
        await Task.WhenAll(kills).ConfigureAwait(false);
    }

    /// <summary>preStop within the grace period, then StopContainer with what is left of it (at least 2 s, as kubelet).</summary>
    private async Task KillAsync(V1Pod pod, V1Container? container, string containerId, TimeSpan grace, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        if (container?.Lifecycle?.PreStop is { } preStop
            && await RunHookAsync(pod, container, preStop, containerId, grace < HookTimeout ? grace : HookTimeout, cancellationToken).ConfigureAwait(false) is { } failure)
        {
            Publish(pod, PodEvent.Warning("FailedPreStopHook", failure, FieldPath(container)));
        }

        var remaining = grace - watch.Elapsed;
        if (remaining < MinGraceAfterPreStop && container?.Lifecycle?.PreStop is not null)
        {
            remaining = MinGraceAfterPreStop;
        }

        await _probes.StopAsync(containerId).ConfigureAwait(false);
        await IgnoreNotFound(() => _runtime.StopContainerAsync(
            new StopContainerRequest { ContainerId = containerId, Timeout = (long)Math.Max(0, Math.Ceiling(remaining.TotalSeconds)) },
            cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
    }

    /// <summary>
    /// kubelet's setTerminationGracePeriod: a deleted pod's deletion grace period, else the failed probe's own
    /// terminationGracePeriodSeconds (liveness/startup kills), else the pod's.
    /// </summary>
    private static TimeSpan Grace(V1Pod pod, V1Probe? failedProbe = null)
        => TimeSpan.FromSeconds(pod.Metadata.DeletionGracePeriodSeconds ?? failedProbe?.TerminationGracePeriodSeconds ?? pod.Spec.TerminationGracePeriodSeconds ?? 30);

    /// <summary>Keeps the newest exited attempts of each container (for lastState and logs --previous), removes older ones.</summary>
    private async Task PruneAsync(List<ContainerStatus> containers, CancellationToken cancellationToken)
    {
        foreach (var group in containers.GroupBy(c => c.Metadata.Name))
        {
            foreach (var old in group.OrderByDescending(c => c.Metadata.Attempt).Skip(KeepExitedPerContainer).Where(c => c.State == ContainerState.ContainerExited))
            {
                await IgnoreNotFound(() => _runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = old.Id }, cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
                containers.Remove(old);
            }
        }
    }

    private V1PodStatus BuildStatus(V1Pod pod, PodState state, PodSandboxStatus? sandbox, List<ContainerStatus> containers)
    {
        var readiness = new Dictionary<string, bool>(StringComparer.Ordinal);
        var started = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var c in containers)
        {
            if (_probes.Result(c.Id, ProbeKind.Readiness) is { } r)
            {
                readiness[c.Id] = r;
            }

            if (_probes.Result(c.Id, ProbeKind.Startup) is { } s)
            {
                started[c.Id] = s;
            }
        }

        state.Status = _statuses.Build(
            pod,
            new PodRuntimeState { Sandbox = sandbox, Containers = containers, Waiting = new Dictionary<string, ContainerWaiting>(state.Waiting), Readiness = readiness, Started = started },
            state.Status,
            _services.Time.GetUtcNow());
        return state.Status;
    }

    private static Dictionary<string, ContainerWaiting> WaitingAll(V1Pod pod, string reason, string message)
        => (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers ?? []).ToDictionary(c => c.Name, _ => new ContainerWaiting(reason, message));

    private static ContainerStatus? Latest(IEnumerable<ContainerStatus> containers, string name)
        => containers.Where(c => c.Metadata.Name == name).MaxBy(c => (c.Metadata.Attempt, c.CreatedAt));

    private async Task<List<PodSandboxStatus>> ListSandboxesAsync(string uid, CancellationToken cancellationToken)
    {
        var list = await _runtime.ListPodSandboxAsync(
            new ListPodSandboxRequest { Filter = new PodSandboxFilter { LabelSelector = { [PodLabels.PodUid] = uid } } },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        var result = new List<PodSandboxStatus>();
        foreach (var item in list.Items)
        {
            try
            {
                result.Add((await _runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = item.Id }, cancellationToken: cancellationToken).ConfigureAwait(false)).Status);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                // Removed between list and status.
            }
        }

        return result;
    }

    private async Task<List<ContainerStatus>> ListContainersAsync(string uid, CancellationToken cancellationToken)
    {
        var list = await _runtime.ListContainersAsync(
            new ListContainersRequest { Filter = new ContainerFilter { LabelSelector = { [PodLabels.PodUid] = uid } } },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        var result = new List<ContainerStatus>();
        foreach (var item in list.Containers)
        {
            try
            {
                var status = await StatusAsync(item.Id, cancellationToken).ConfigureAwait(false);
                // The list knows the sandbox; the status may not carry it, and the sync needs it.
                status.Annotations[SandboxAnnotation] = item.PodSandboxId;
                result.Add(status);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                // Removed between list and status.
            }
        }

        return result;
    }

    private async Task<ContainerStatus> StatusAsync(string id, CancellationToken cancellationToken)
        => (await _runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id }, cancellationToken: cancellationToken).ConfigureAwait(false)).Status;

    private static async Task IgnoreNotFound(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            // Already gone is what cleanup wants.
        }
    }

    private void Publish(V1Pod pod, PodEvent podEvent) => _services.Events.Publish(pod, podEvent);

    private static string FieldPath(V1Container container) => $"spec.containers{{{container.Name}}}";

    private sealed class PodState
    {
        public Dictionary<string, ContainerWaiting> Waiting { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, DateTimeOffset> PullFailedAt { get; } = new(StringComparer.Ordinal);

        public V1PodStatus? Status { get; set; }

        /// <summary>The status a finished (Succeeded/Failed) pod keeps.</summary>
        public V1PodStatus? Final { get; set; }

        /// <summary>The last volume set-up failed: the next sync sets volumes up before it starts a sandbox.</summary>
        public bool VolumesFailed { get; set; }

        /// <summary>Wakes the pod's worker when its activeDeadlineSeconds passes.</summary>
        public ITimer? DeadlineTimer { get; set; }
    }

    private sealed record SyncContext(V1Pod Pod, PodState State, PodSandboxStatus Sandbox, PodSandboxConfig SandboxConfig, IReadOnlyDictionary<string, string> VolumePaths, List<ContainerStatus> All)
    {
        public List<ContainerStatus> Current { get; set; } = [];

        /// <summary>Containers this sync created and started.</summary>
        public int Started { get; set; }

        public StepTimer Steps { get; init; } = new();

        /// <summary>Image presence asked while a new sandbox started (image → answer), taken by the first container that needs it.</summary>
        public Dictionary<string, Task<bool>>? Images { get; init; }
    }
}
