using System.Diagnostics;
using System.Net;
using k8s.Models;
using NodeAgent.Cri.V1;
using NodeAgent.Node.Pods;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Leaks;

namespace NodeAgent.Node.Tests.Integration;

/// <summary>Pods synced by <see cref="PodSyncer"/> against a real <c>nodeagent cri</c> (root: namespaces, mounts, cgroups).</summary>
[Collection(BusyboxRegistry.Collection)]
public sealed class PodSyncerIntegrationTests(BusyboxRegistry registry)
{
    private static bool IsRunning(V1PodStatus s) => s.Phase == "Running" && s.ContainerStatuses.All(c => c.State.Running is not null);

    [Fact]
    public async Task Two_containers_share_an_empty_dir_and_the_status_reports_a_running_ready_pod()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token);
        var writer = node.Container("writer", "/bin/sh", "-c", "echo shared-data > /data/f; exec /bin/sleep 300");
        var reader = node.Container("reader", "/bin/sleep", "300");
        writer.VolumeMounts = [new V1VolumeMount { Name = "data", MountPath = "/data" }];
        reader.VolumeMounts = [new V1VolumeMount { Name = "data", MountPath = "/shared", ReadOnlyProperty = true }];
        var pod = node.Pod("share", writer, reader);
        pod.Spec.Volumes = [new V1Volume { Name = "data", EmptyDir = new V1EmptyDirVolumeSource() }];

        var status = await node.SyncUntilAsync(pod, IsRunning, "both containers running", deadline.Token);

        var read = await Eventually.UntilAsync(async ct => await node.ExecAsync(status, "reader", ct, "/bin/cat", "/shared/f") is { ExitCode: 0 } r ? r.Stdout : null, "the file written by the other container", deadline.Token);
        Assert.Equal("shared-data", read.Trim());
        Assert.NotEqual(0, (await node.ExecAsync(status, "reader", deadline.Token, "/bin/sh", "-c", "echo x > /shared/g")).ExitCode);
        Assert.True(IPNetwork.Parse(node.Runtime.Settings.PodCidr).Contains(IPAddress.Parse(status.PodIP)));
        Assert.Equal("BestEffort", status.QosClass);
        Assert.Equal("127.0.0.1", status.HostIP);
        Assert.NotNull(status.StartTime);
        Assert.All(status.ContainerStatuses, c =>
        {
            Assert.True(c.Ready);
            Assert.True(c.Started);
            Assert.StartsWith("nodeagent://", c.ContainerID, StringComparison.Ordinal);
            Assert.Equal(0, c.RestartCount);
            Assert.Equal(node.Image, c.Image);
            Assert.False(string.IsNullOrEmpty(c.ImageID));
        });
        Assert.All(new[] { "PodScheduled", "PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready" }, t => Assert.Equal("True", status.Conditions.Single(c => c.Type == t).Status));
        Assert.Contains(node.Events.Events, e => e.Reason == "Started" && e.Message == "Started container writer");

        var sandboxes = await node.SandboxIdsAsync(pod, deadline.Token);
        var final = await node.Syncer.TerminateAsync(pod, 0, deadline.Token);
        Assert.All(final.ContainerStatuses, c => Assert.NotNull(c.State.Terminated));
        Assert.Empty(await node.SandboxIdsAsync(pod, deadline.Token));
        Assert.False(Directory.Exists(Path.Combine(node.Options.PodsRoot, pod.Metadata.Uid)));
        foreach (var id in sandboxes)
        {
            await LeakCheck.AssertCleanAsync(id, deadline.Token);
        }
    }

    [Fact]
    public async Task Env_comes_from_a_config_map_a_secret_and_field_refs()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token);
        node.Objects.Add(InMemoryObjects.ConfigMap("settings", new() { ["mode"] = "fast", ["LEVEL"] = "3" }));
        node.Objects.Add(InMemoryObjects.Secret("creds", new() { ["password"] = "s3cret" }));
        var app = node.Container("app", "/bin/sleep", "300");
        app.EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "settings" }, Prefix = "CFG_" }];
        app.Env =
        [
            new V1EnvVar { Name = "MODE", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "settings", Key = "mode" } } },
            new V1EnvVar { Name = "PASSWORD", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "creds", Key = "password" } } },
            new V1EnvVar { Name = "MY_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } },
            new V1EnvVar { Name = "MY_IP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.podIP" } } },
            new V1EnvVar { Name = "SUMMARY", Value = "$(MODE)/$(CFG_LEVEL)" },
        ];
        var pod = node.Pod("env", app);

        var status = await node.SyncUntilAsync(pod, IsRunning, "the app running", deadline.Token);
        var env = (await node.ExecAsync(status, "app", deadline.Token, "/bin/sh", "-c", "echo $MODE $PASSWORD $MY_NAME $MY_IP $SUMMARY $CFG_mode")).Stdout.Trim();

        Assert.Equal($"fast s3cret {pod.Metadata.Name} {status.PodIP} fast/3 fast", env);
    }

    [Fact]
    public async Task Config_map_volume_items_land_with_their_paths_and_modes()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token);
        node.Objects.Add(InMemoryObjects.ConfigMap("files", new() { ["app.conf"] = "port=8080", ["unused"] = "x" }));
        var app = node.Container("app", "/bin/sleep", "300");
        app.VolumeMounts = [new V1VolumeMount { Name = "config", MountPath = "/etc/app" }];
        var pod = node.Pod("cmvol", app);
        pod.Spec.Volumes = [new V1Volume { Name = "config", ConfigMap = new V1ConfigMapVolumeSource { Name = "files", Items = [new V1KeyToPath { Key = "app.conf", Path = "conf/app.conf", Mode = Convert.ToInt32("600", 8) }] } }];

        var status = await node.SyncUntilAsync(pod, IsRunning, "the app running", deadline.Token);

        Assert.Equal("port=8080", (await node.ExecAsync(status, "app", deadline.Token, "/bin/cat", "/etc/app/conf/app.conf")).Stdout);
        Assert.Equal("600", (await node.ExecAsync(status, "app", deadline.Token, "/bin/stat", "-L", "-c", "%a", "/etc/app/conf/app.conf")).Stdout.Trim());
        Assert.NotEqual(0, (await node.ExecAsync(status, "app", deadline.Token, "/bin/cat", "/etc/app/unused")).ExitCode);
    }

    [Fact]
    public async Task Init_containers_run_in_order_to_completion_before_the_app_container()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token);
        var first = node.Container("first", "/bin/sh", "-c", "echo first >> /work/order");
        var second = node.Container("second", "/bin/sh", "-c", "echo second >> /work/order");
        var app = node.Container("app", "/bin/sh", "-c", "echo app >> /work/order; exec /bin/sleep 300");
        foreach (var c in new[] { first, second, app })
        {
            c.VolumeMounts = [new V1VolumeMount { Name = "work", MountPath = "/work" }];
        }

        var pod = node.Pod("init", app);
        pod.Spec.InitContainers = [first, second];
        pod.Spec.Volumes = [new V1Volume { Name = "work", EmptyDir = new V1EmptyDirVolumeSource() }];

        var status = await node.SyncUntilAsync(pod, IsRunning, "the app running after the init containers", deadline.Token);
        var order = await Eventually.UntilAsync(async ct => (await node.ExecAsync(status, "app", ct, "/bin/cat", "/work/order")).Stdout is { } s && s.Contains("app", StringComparison.Ordinal) ? s : null, "app to write", deadline.Token);

        Assert.Equal(["first", "second", "app"], order.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.All(status.InitContainerStatuses, s => Assert.Equal("Completed", s.State.Terminated.Reason));
        Assert.Equal("True", status.Conditions.Single(c => c.Type == "Initialized").Status);
    }

    [Fact]
    public async Task Restart_policy_never_ends_in_succeeded_or_failed_with_exit_codes()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token);
        var ok = node.Pod("ok", node.Container("main", "/bin/sh", "-c", "exit 0"));
        ok.Spec.RestartPolicy = "Never";
        var bad = node.Pod("bad", node.Container("main", "/bin/sh", "-c", "exit 3"), node.Container("fine", "/bin/true"));
        bad.Spec.RestartPolicy = "Never";

        var succeeded = await node.SyncUntilAsync(ok, s => s.Phase is "Succeeded" or "Failed", "a terminal phase", deadline.Token);
        var failed = await node.SyncUntilAsync(bad, s => s.Phase is "Succeeded" or "Failed", "a terminal phase", deadline.Token);

        Assert.Equal("Succeeded", succeeded.Phase);
        Assert.Equal("Completed", succeeded.ContainerStatuses[0].State.Terminated.Reason);
        Assert.Equal("Failed", failed.Phase);
        var main = failed.ContainerStatuses.Single(c => c.Name == "main").State.Terminated;
        Assert.Equal(3, main.ExitCode);
        Assert.Equal("Error", main.Reason);
        Assert.Equal(0, failed.ContainerStatuses.Single(c => c.Name == "fine").State.Terminated.ExitCode);
        Assert.Equal(0, failed.ContainerStatuses[0].RestartCount);
        Assert.Equal("False", failed.Conditions.Single(c => c.Type == "Ready").Status);
        // Terminal: later syncs leave it alone.
        Assert.Equal("Failed", (await node.Syncer.SyncAsync(bad, deadline.Token)).Phase);
    }

    [Fact]
    public async Task On_failure_restarts_a_failing_container_with_backoff()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token);
        var pod = node.Pod("crash", node.Container("crasher", "/bin/sh", "-c", "echo boom; exit 1"));
        pod.Spec.RestartPolicy = "OnFailure";

        V1ContainerStatus? backingOff = null;
        var status = await node.SyncUntilAsync(
            pod,
            s =>
            {
                var c = s.ContainerStatuses[0];
                if (c.State.Waiting?.Reason == "CrashLoopBackOff")
                {
                    backingOff = c;
                }

                return c.RestartCount >= 3 && backingOff is not null;
            },
            "three restarts and a CrashLoopBackOff",
            deadline.Token);

        Assert.NotNull(backingOff);
        Assert.StartsWith("back-off ", backingOff.State.Waiting.Message, StringComparison.Ordinal);
        Assert.Contains("restarting failed container=crasher", backingOff.State.Waiting.Message, StringComparison.Ordinal);
        Assert.Equal(1, backingOff.LastState.Terminated.ExitCode);
        Assert.Equal("Running", status.Phase);
        Assert.Contains(node.Events.Events, e => e.Reason == "BackOff" && e.Type == "Warning");
        Assert.True(File.Exists(Path.Combine(node.Options.PodLogsRoot, $"default_{pod.Metadata.Name}_{pod.Metadata.Uid}", "crasher", "2.log")));
    }

    [Fact]
    public async Task A_restart_whose_start_fails_still_counts_for_the_back_off()
    {
        // kubelet's doBackOff records the restart before startContainer runs, so a restart that then fails
        // (here CreateContainerConfigError: the ConfigMap went away after the first start) makes the next one wait.
        using var deadline = TestDeadline.Seconds(120);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token);
        node.Objects.Add(InMemoryObjects.ConfigMap("vanishing", new() { ["k"] = "v" }));
        var app = node.Container("app", "/bin/sh", "-c", "exit 1");
        app.Env = [new V1EnvVar { Name = "K", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "vanishing", Key = "k" } } }];
        var pod = node.Pod("failstart", app);
        await node.SyncUntilAsync(pod, s => s.ContainerStatuses?[0].State.Terminated is not null || s.ContainerStatuses?[0].LastState?.Terminated is not null, "the first exit", deadline.Token);
        node.Objects.RemoveConfigMap("vanishing");

        // Level-triggered syncs every 100 ms for 3 s: with the 1 s doubling to 4 s back-off of the harness, the
        // attempts are at once, after 1 s and after 2 s more — not one per sync.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await node.SyncUntilAsync(pod, _ => watch.Elapsed > TimeSpan.FromSeconds(3), "3 s of syncs", deadline.Token);

        var attempts = node.Events.Events.Count(e => e is { Reason: "Failed", Message: "Error: configmap \"vanishing\" not found" });
        Assert.InRange(attempts, 1, 4);
    }

    [Fact]
    public async Task A_failing_exec_liveness_probe_restarts_the_container()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token);
        var app = node.Container("app", "/bin/sh", "-c", "touch /tmp/healthy; exec /bin/sleep 300");
        app.LivenessProbe = new V1Probe { Exec = new V1ExecAction { Command = ["/bin/cat", "/tmp/healthy"] }, PeriodSeconds = 1, FailureThreshold = 1, TimeoutSeconds = 5 };
        var pod = node.Pod("live", app);

        var running = await node.SyncUntilAsync(pod, IsRunning, "the app running", deadline.Token);
        Assert.Equal(0, (await node.ExecAsync(running, "app", deadline.Token, "/bin/rm", "/tmp/healthy")).ExitCode);

        var restarted = await node.SyncUntilAsync(pod, s => s.ContainerStatuses[0].RestartCount >= 1 && s.ContainerStatuses[0].State.Running is not null, "a restart after the liveness failure", deadline.Token);

        Assert.NotEqual(running.ContainerStatuses[0].ContainerID, restarted.ContainerStatuses[0].ContainerID);
        Assert.NotNull(restarted.ContainerStatuses[0].LastState.Terminated);
        Assert.Contains(node.Events.Events, e => e.Reason == "Killing" && e.Message == "Container app failed liveness probe, will be restarted");
        Assert.Contains(node.Events.Events, e => e.Type == "Warning" && e.Reason == "Unhealthy" && e.FieldPath == "spec.containers{app}"
            && e.Message.StartsWith("Liveness probe failed: cat: can't open '/tmp/healthy'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_http_get_readiness_probe_flips_ready()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token);
        var web = node.Container("web", "/bin/sh", "-c", "mkdir -p /www && exec /usr/sbin/httpd -f -p 8080 -h /www");
        web.Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080 }];
        web.ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/ready", Port = "http" }, PeriodSeconds = 1, TimeoutSeconds = 2 };
        var pod = node.Pod("ready", web);

        var notReady = await node.SyncUntilAsync(pod, IsRunning, "the web server running", deadline.Token);
        Assert.False(notReady.ContainerStatuses[0].Ready);
        Assert.Equal("False", notReady.Conditions.Single(c => c.Type == "Ready").Status);
        Assert.Equal("containers with unready status: [web]", notReady.Conditions.Single(c => c.Type == "Ready").Message);

        Assert.Equal(0, (await node.ExecAsync(notReady, "web", deadline.Token, "/bin/sh", "-c", "echo ok > /www/ready")).ExitCode);
        var ready = await node.SyncUntilAsync(pod, s => s.ContainerStatuses[0].Ready, "Ready after /ready answers 200", deadline.Token);
        Assert.Equal("True", ready.Conditions.Single(c => c.Type == "Ready").Status);

        Assert.Equal(0, (await node.ExecAsync(ready, "web", deadline.Token, "/bin/rm", "/www/ready")).ExitCode);
        await node.SyncUntilAsync(pod, s => !s.ContainerStatuses[0].Ready, "not Ready once /ready is gone", deadline.Token);
    }

    [Fact]
    public async Task Termination_runs_pre_stop_then_stops_within_the_grace_period()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token);
        var shared = node.TempPath("hostdir");
        var polite = node.Container("polite", "/bin/sh", "-c", "trap 'echo term >> /host/log; exit 0' TERM; while true; do /bin/sleep 1 & wait; done");
        polite.Lifecycle = new V1Lifecycle { PreStop = new V1LifecycleHandler { Exec = new V1ExecAction { Command = ["/bin/sh", "-c", "echo prestop >> /host/log"] } } };
        polite.VolumeMounts = [new V1VolumeMount { Name = "host", MountPath = "/host" }];
        var stubborn = node.Container("stubborn", "/bin/sh", "-c", "trap '' TERM; while true; do /bin/sleep 1; done");
        var pod = node.Pod("term", polite, stubborn);
        pod.Spec.TerminationGracePeriodSeconds = 3;
        pod.Spec.Volumes = [new V1Volume { Name = "host", HostPath = new V1HostPathVolumeSource { Path = shared, Type = "DirectoryOrCreate" } }];
        await node.SyncUntilAsync(pod, IsRunning, "both running", deadline.Token);

        var watch = Stopwatch.StartNew();
        var final = await node.Syncer.TerminateAsync(pod, null, deadline.Token);
        watch.Stop();

        Assert.Equal(["prestop", "term"], await File.ReadAllLinesAsync(Path.Combine(shared, "log"), deadline.Token));
        Assert.Equal(0, final.ContainerStatuses.Single(c => c.Name == "polite").State.Terminated.ExitCode);
        Assert.Equal(137, final.ContainerStatuses.Single(c => c.Name == "stubborn").State.Terminated.ExitCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3 + 5), $"termination took {watch.Elapsed}");
        Assert.True(Directory.Exists(shared), "a hostPath directory survives the pod");
        Assert.Empty(await node.SandboxIdsAsync(pod, deadline.Token));
    }

    [Fact]
    public async Task A_missing_secret_is_a_create_container_config_error_until_it_appears()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token);
        var app = node.Container("app", "/bin/sleep", "300");
        app.Env = [new V1EnvVar { Name = "TOKEN", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "later", Key = "token" } } }];
        var pod = node.Pod("nosecret", app);

        var waiting = await node.SyncUntilAsync(pod, s => s.ContainerStatuses[0].State.Waiting?.Reason == "CreateContainerConfigError", "CreateContainerConfigError", deadline.Token);
        Assert.Equal("secret \"later\" not found", waiting.ContainerStatuses[0].State.Waiting.Message);
        Assert.Equal("Pending", waiting.Phase);
        Assert.Contains(node.Events.Events, e => e is { Type: "Warning", Reason: "Failed", Message: "Error: secret \"later\" not found" });

        node.Objects.Add(InMemoryObjects.Secret("later", new() { ["token"] = "t" }));
        var running = await node.SyncUntilAsync(pod, IsRunning, "running once the secret exists", deadline.Token);
        Assert.Equal("t", (await node.ExecAsync(running, "app", deadline.Token, "/bin/sh", "-c", "printf %s $TOKEN")).Stdout);
    }

    [Fact]
    public async Task A_new_pod_is_running_after_its_first_sync_with_kubelets_events_in_order()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token);
        var app = node.Container("app", "/bin/sleep", "300");
        app.VolumeMounts = [new V1VolumeMount { Name = "data", MountPath = "/data" }];
        var pod = node.Pod("first", app);
        pod.Spec.Volumes = [new V1Volume { Name = "data", EmptyDir = new V1EmptyDirVolumeSource() }];

        // One sync (the sandbox started beside the volume set-up) reports the started container: no relist or resync needed.
        var status = await node.Syncer.SyncAsync(pod, deadline.Token);

        Assert.True(IsRunning(status), $"phase {status.Phase}");
        Assert.True(status.ContainerStatuses.Single().Started);
        Assert.True(IPNetwork.Parse(node.Runtime.Settings.PodCidr).Contains(IPAddress.Parse(status.PodIP)));
        Assert.Single(await node.SandboxIdsAsync(pod, deadline.Token));
        Assert.Equal(0, (await node.ExecAsync(status, "app", deadline.Token, "/bin/sh", "-c", "test -d /data")).ExitCode);
        Assert.Equal(["Pulled", "Created", "Started"], node.Events.Events.Select(e => e.Reason).Where(r => r != "Pulling"));
    }

    [Fact]
    public async Task A_missing_secret_volume_is_failed_mount_without_a_sandbox_until_it_appears()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token);
        var app = node.Container("app", "/bin/sleep", "300");
        app.VolumeMounts = [new V1VolumeMount { Name = "creds", MountPath = "/creds" }];
        var pod = node.Pod("nomount", app);
        pod.Spec.Volumes = [new V1Volume { Name = "creds", Secret = new V1SecretVolumeSource { SecretName = "later" } }];

        // The first sync starts the sandbox beside the volume set-up; the failed mount removes it again (kubelet mounts
        // before it creates a sandbox), and the retry sets volumes up first.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var waiting = await node.Syncer.SyncAsync(pod, deadline.Token);
            Assert.Equal("Pending", waiting.Phase);
            Assert.Equal("ContainerCreating", waiting.ContainerStatuses.Single().State.Waiting.Reason);
            Assert.Null(waiting.PodIP);
            Assert.Empty(await node.SandboxIdsAsync(pod, deadline.Token));
        }

        Assert.Equal(2, node.Events.Events.Count(e => e is { Type: "Warning", Reason: "FailedMount" } && e.Message.Contains("secret \"later\" not found", StringComparison.Ordinal)));
        Assert.DoesNotContain(node.Events.Events, e => e.Reason is "Created" or "Started");

        node.Objects.Add(InMemoryObjects.Secret("later", new() { ["token"] = "t" }));
        var running = await node.SyncUntilAsync(pod, IsRunning, "running once the secret exists", deadline.Token);
        Assert.Equal("t", (await node.ExecAsync(running, "app", deadline.Token, "/bin/cat", "/creds/token")).Stdout);
        Assert.Single(await node.SandboxIdsAsync(pod, deadline.Token));
    }

    [Fact]
    public async Task Pod_workers_drive_a_pod_to_running_and_terminate_it()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token);
        var pod = node.Pod("workers", node.Container("app", "/bin/sleep", "300"));
        var running = new TaskCompletionSource<V1PodStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        PodWorkers? workers = null;
        workers = new PodWorkers(
            (work, ct) => work.Terminate ? node.Syncer.TerminateAsync(work.Pod, work.GracePeriodSeconds, ct) : node.Syncer.SyncAsync(work.Pod, ct),
            (_, status) =>
            {
                if (IsRunning(status))
                {
                    running.TrySetResult(status);
                }
            },
            new PodWorkersOptions { ResyncPeriod = TimeSpan.FromMilliseconds(200) },
            TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<PodWorkers>.Instance);
        await using (workers)
        {
            workers.Update(new PodWork(pod));
            var status = await running.Task.WaitAsync(deadline.Token);
            Assert.Equal("Running", status.Phase);

            workers.Update(new PodWork(pod, Terminate: true, GracePeriodSeconds: 0));
            await workers.WhenFinishedAsync(pod.Metadata.Uid).WaitAsync(deadline.Token);
            Assert.Equal(0, workers.Count);
            Assert.Empty(await node.SandboxIdsAsync(pod, deadline.Token));
        }
    }
}
