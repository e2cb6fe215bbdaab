using System.Text.Json;
using Grpc.Core;
using NodeAgent.Cri;
using NodeAgent.Cri.V1;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Kubectl;

namespace NodeAgent.Tests.Server;

/// <summary>
/// More of docs/node.md "Parity with kubelet", as a kubectl user sees it on a real server: the first restart after any
/// container failure (a failed postStart hook, a liveness kill) is immediate and the back-off applies from the second;
/// a liveness kill is announced at the decision while the status still shows the container running; the projected
/// service account token is owned by the pod's single runAsUser.
/// </summary>
[Collection(ServerRegistry.Collection)]
public sealed class ServerKubeletParityFollowUpTests(ServerRegistry registry)
{
    private const string TokenDir = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>Less than the 10 s initial back-off, with room for a loaded machine.</summary>
    private static readonly TimeSpan AtOnce = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task A_container_killed_for_its_failed_post_start_hook_restarts_at_once_and_backs_off_from_the_second_restart()
    {
        using var deadline = TestDeadline.Seconds(240);
        var ct = deadline.Token;
        await ServerScenario.RunAsync(registry, async (server, kubectl) =>
        {
            var name = server.Prefix + "-hook";
            var yaml = ServerPods.Yaml(name, registry.Image, "Always", "{}", "/bin/sleep", "3600")
                + "    lifecycle:\n      postStart:\n        exec:\n          command: [\"/bin/sh\", \"-c\", \"exit 7\"]\n";
            (await kubectl.RunAsync(["apply", "-f", "-"], ct, yaml)).EnsureSuccess();

            // kubelet's doBackOff: no back-off entry before the first restart, so it starts at once; that restart
            // records one (10 s), which the second restart waits for.
            using var cri = CriClientFactory.Connect(server.CriEndpoint);
            var attempts = new Dictionary<uint, Attempt>();
            await Eventually.UntilAsync<object>(
                async probe => await ObserveAsync(cri, name, attempts, probe) && attempts.TryGetValue(2, out var a) && a.Started is not null ? attempts : null,
                "the third start of the hooked container",
                ct,
                TimeSpan.FromMilliseconds(200));
            var firstRestart = attempts[1].Started!.Value - attempts[0].Finished!.Value;
            var secondRestart = attempts[2].Started!.Value - attempts[1].Finished!.Value;
            Assert.True(firstRestart < AtOnce, $"the first restart waited {firstRestart}");
            Assert.True(secondRestart >= TimeSpan.FromSeconds(9), $"the second restart waited only {secondRestart}");

            var uid = await UidAsync(kubectl, name, ct);
            await Eventually.UntilAsync(
                async probe =>
                {
                    var items = await EventsAsync(kubectl, name, probe);
                    return items.Any(e => Is(e, "FailedPostStartHook") && e.GetProperty("message").GetString()!.StartsWith("Exec lifecycle hook ([/bin/sh -c exit 7])", StringComparison.Ordinal))
                        && items.Any(e => Is(e, "BackOff") && e.GetProperty("message").GetString() == $"Back-off restarting failed container main in pod {name}_default({uid})");
                },
                "the FailedPostStartHook and BackOff events",
                ct);

            (await kubectl.RunAsync(["delete", "pod", name, "--timeout=60s"], ct)).EnsureSuccess();
            Assert.Equal(0, await server.StopAsync(ct));
        }, ct);
    }

    [Fact]
    public async Task A_liveness_kill_is_announced_at_once_shows_the_container_running_until_it_exits_and_restarts_at_once()
    {
        using var deadline = TestDeadline.Seconds(240);
        var ct = deadline.Token;
        await ServerScenario.RunAsync(registry, async (server, kubectl) =>
        {
            // sleep as PID 1 ignores SIGTERM, so the kill takes the probe's own 15 s grace period (kubelet's
            // setTerminationGracePeriod), not the pod's 90 s.
            var name = server.Prefix + "-live";
            (await kubectl.RunAsync(["apply", "-f", "-"], ct, LivenessPod(name, registry.Image))).EnsureSuccess();
            await ServerPods.WaitAsync(kubectl, server, ["--for=condition=Ready", "pod/" + name], ct);

            await Eventually.UntilAsync(
                async probe => (await EventsAsync(kubectl, name, probe)).Any(e => Is(e, "Killing") && e.GetProperty("message").GetString() == "Container main failed liveness probe, will be restarted"),
                "the Killing event of the liveness failure",
                ct);
            var announced = DateTimeOffset.UtcNow;

            // The kill is still under way (the runtime has the container running) and, as with kubelet, the API still
            // shows it running, ready and not yet restarted.
            using var cri = CriClientFactory.Connect(server.CriEndpoint);
            var containers = await ListAsync(cri, name, ct);
            Assert.Equal(ContainerState.ContainerRunning, Assert.Single(containers).State);
            using (var pod = await kubectl.GetJsonAsync(["pod", name], ct))
            {
                var status = pod.RootElement.GetProperty("status").GetProperty("containerStatuses")[0];
                Assert.True(status.GetProperty("state").TryGetProperty("running", out _), status.ToString());
                Assert.Equal(0, status.GetProperty("restartCount").GetInt32());
                Assert.Equal("Running", pod.RootElement.GetProperty("status").GetProperty("phase").GetString());
            }

            var attempts = new Dictionary<uint, Attempt>();
            await Eventually.UntilAsync<object>(
                async probe => await ObserveAsync(cri, name, attempts, probe) && attempts.TryGetValue(1, out var a) && a.Started is not null ? attempts : null,
                "the restart after the liveness kill",
                ct,
                TimeSpan.FromMilliseconds(200));
            var killed = attempts[0].Finished!.Value;
            Assert.True(killed - announced < TimeSpan.FromSeconds(60), $"the kill took {killed - announced} after the event: the pod's grace period, not the probe's");
            var restart = attempts[1].Started!.Value - killed;
            Assert.True(restart < AtOnce, $"the first restart after the liveness kill waited {restart}");
            await ServerPods.WaitAsync(kubectl, server, ["--for=jsonpath={.status.containerStatuses[0].restartCount}=1", "pod/" + name], ct);

            (await kubectl.RunAsync(["delete", "pod", name, "--grace-period=1", "--timeout=60s"], ct)).EnsureSuccess();
            Assert.Equal(0, await server.StopAsync(ct));
        }, ct);
    }

    [Fact]
    public async Task The_service_account_token_belongs_to_the_single_run_as_user_with_mode_0600_and_fsgroup_adds_group_read()
    {
        using var deadline = TestDeadline.Seconds(240);
        var ct = deadline.Token;
        await ServerScenario.RunAsync(registry, async (server, kubectl) =>
        {
            var (user, both, mixed) = (server.Prefix + "-user", server.Prefix + "-both", server.Prefix + "-mixed");
            (await kubectl.RunAsync(["apply", "-f", "-"], ct, string.Join("---\n",
                TokenPod(user, registry.Image, "runAsUser: 1000", second: null),
                TokenPod(both, registry.Image, "runAsUser: 1000, fsGroup: 2000, fsGroupChangePolicy: OnRootMismatch", second: null),
                TokenPod(mixed, registry.Image, "runAsUser: 1000, fsGroup: 2000", second: "runAsUser: 1001")))).EnsureSuccess();
            foreach (var pod in new[] { user, both, mixed })
            {
                await ServerPods.WaitAsync(kubectl, server, ["--for=condition=Ready", "pod/" + pod], ct);
            }

            // kubelet's projected plugin: a single runAsUser owns the token (0600); fsGroup adds the group and group
            // read (0640); users that differ leave the owner root and rely on the group. The other files keep the
            // volume's defaultMode (0644). fsGroupChangePolicy does not apply to projected volumes (kubelet passes none).
            Assert.Equal(["600 1000 0", "644 0 0", "ok"], await StatAsync(kubectl, user, "main", ct));
            Assert.Equal(["640 1000 2000", "644 0 2000", "ok"], await StatAsync(kubectl, both, "main", ct));
            Assert.Equal(["640 0 2000", "644 0 2000", "ok"], await StatAsync(kubectl, mixed, "main", ct));
            Assert.Equal(["640 0 2000", "644 0 2000", "ok"], await StatAsync(kubectl, mixed, "second", ct));

            (await kubectl.RunAsync(["delete", "pod", user, both, mixed, "--timeout=60s"], ct)).EnsureSuccess();
            Assert.Equal(0, await server.StopAsync(ct));
        }, ct);
    }

    private static async Task<string[]> StatAsync(KubectlRunner kubectl, string pod, string container, CancellationToken ct)
    {
        var exec = await kubectl.RunAsync(
            ["exec", pod, "-c", container, "--", "/bin/sh", "-c", $"stat -L -c '%a %u %g' {TokenDir}/token {TokenDir}/ca.crt; test -s {TokenDir}/token && head -c1 {TokenDir}/token >/dev/null && echo ok"],
            ct);
        Assert.True(exec.Succeeded, $"kubectl exec {pod}/{container}: {exec.StandardOutput}\n{exec.StandardError}");
        return exec.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private sealed record Attempt(DateTimeOffset? Started, DateTimeOffset? Finished);

    /// <summary>Adds what the runtime shows of the pod's containers to <paramref name="attempts"/> (older attempts get pruned later).</summary>
    private static async Task<bool> ObserveAsync(CriClient cri, string pod, Dictionary<uint, Attempt> attempts, CancellationToken ct)
    {
        foreach (var container in await ListAsync(cri, pod, ct))
        {
            try
            {
                var status = (await cri.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = container.Id }, cancellationToken: ct)).Status;
                attempts[status.Metadata.Attempt] = new Attempt(FromNanos(status.StartedAt), FromNanos(status.FinishedAt));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                // Pruned between the list and the status.
            }
        }

        return true;
    }

    private static async Task<List<Container>> ListAsync(CriClient cri, string pod, CancellationToken ct)
        => [.. (await cri.Runtime.ListContainersAsync(
            new ListContainersRequest { Filter = new ContainerFilter { LabelSelector = { ["io.kubernetes.pod.name"] = pod } } },
            cancellationToken: ct)).Containers];

    private static DateTimeOffset? FromNanos(long nanos) => nanos <= 0 ? null : DateTimeOffset.UnixEpoch.AddTicks(nanos / 100);

    private static async Task<string> UidAsync(KubectlRunner kubectl, string name, CancellationToken ct)
    {
        using var pod = await kubectl.GetJsonAsync(["pod", name], ct);
        return pod.RootElement.GetProperty("metadata").GetProperty("uid").GetString()!;
    }

    private static async Task<List<JsonElement>> EventsAsync(KubectlRunner kubectl, string pod, CancellationToken ct)
    {
        using var events = await kubectl.GetJsonAsync(["events", "--field-selector", "involvedObject.name=" + pod], ct);
        return [.. events.RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone())];
    }

    private static bool Is(JsonElement e, string reason) => e.GetProperty("reason").GetString() == reason;

    private static string LivenessPod(string name, string image) => $$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: {{name}}, namespace: default}
        spec:
          terminationGracePeriodSeconds: 90
          containers:
          - name: main
            image: {{image}}
            command: ["/bin/sleep", "3600"]
            livenessProbe:
              exec: {command: ["/bin/false"]}
              initialDelaySeconds: 3
              periodSeconds: 1
              failureThreshold: 1
              terminationGracePeriodSeconds: 15

        """;

    private static string TokenPod(string name, string image, string podSecurity, string? second) => $$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: {{name}}, namespace: default}
        spec:
          terminationGracePeriodSeconds: 1
          securityContext: {{{podSecurity}}}
          containers:
          - name: main
            image: {{image}}
            command: ["/bin/sleep", "3600"]

        """ + (second is null ? "" : $$"""
          - name: second
            image: {{image}}
            command: ["/bin/sleep", "3600"]
            securityContext: {{{second}}}

        """);
}
