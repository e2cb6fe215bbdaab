using System.Text.Json;
using NodeAgent.Cri;
using NodeAgent.Cri.V1;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Kubectl;

namespace NodeAgent.Tests.Server;

/// <summary>
/// Details where the node used to differ from upstream kubelet as a kubectl user sees them (docs/node.md, "Parity with
/// kubelet"): volume ownership for <c>fsGroup</c>, completed init containers ready, the "Error: …" events after image
/// failures.
/// </summary>
[Collection(ServerRegistry.Collection)]
public sealed class ServerKubeletParityTests(ServerRegistry registry)
{
    [Fact]
    public async Task FsGroup_owns_the_volumes_so_a_non_root_container_reads_its_secret_and_writes_its_emptydir()
    {
        using var deadline = TestDeadline.Seconds(240);
        var ct = deadline.Token;
        await ServerScenario.RunAsync(registry, async (server, kubectl) =>
        {
            var name = server.Prefix + "-fsgroup";
            (await kubectl.RunAsync(["apply", "-f", "-"], ct, FsGroupPod(name, registry.Image))).EnsureSuccess();
            await ServerPods.WaitAsync(kubectl, server, ["--for=condition=Ready", "pod/" + name], ct);

            // As kubelet's SetVolumeOwnership: group 2000 everywhere; read-only volumes gain group read
            // (0400 → 0440, 0600 → 0640), emptyDirs are 2777 (set-group-ID) so new files get the group too.
            var exec = await kubectl.RunAsync(
                ["exec", name, "--", "/bin/sh", "-c",
                    "id -u; stat -L -c '%a %g' /sec/pw /cm/a /proj/a /disk /mem; cat /sec/pw; echo; touch /disk/f /mem/f && stat -c '%g' /disk/f /mem/f"],
                ct);
            Assert.True(exec.Succeeded, $"kubectl exec: {exec.StandardOutput}\n{exec.StandardError}");
            Assert.Equal(
                ["1000", "440 2000", "640 2000", "440 2000", "2777 2000", "2777 2000", "sekret", "2000", "2000"],
                exec.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

            (await kubectl.RunAsync(["delete", "pod/" + name, "secret/" + name, "configmap/" + name, "--timeout=60s"], ct)).EnsureSuccess();
            Assert.Equal(0, await server.StopAsync(ct));
        }, ct);
    }

    [Fact]
    public async Task A_completed_init_container_is_ready_and_image_failures_carry_the_error_event()
    {
        using var deadline = TestDeadline.Seconds(240);
        var ct = deadline.Token;
        await ServerScenario.RunAsync(registry, async (server, kubectl) =>
        {
            var (init, never, missing) = (server.Prefix + "-init", server.Prefix + "-never", server.Prefix + "-missing");
            var missingImage = registry.Registry.Reference("nodeagent-test/missing", "v1");
            var neverImage = registry.Registry.Reference("nodeagent-test/busybox", "absent");
            (await kubectl.RunAsync(["apply", "-f", "-"], ct, string.Join("---\n",
                InitPod(init, registry.Image),
                ServerPods.Yaml(never, neverImage, "Always", "{}", "/bin/sleep", "3600").Replace("    image:", "    imagePullPolicy: Never\n    image:", StringComparison.Ordinal),
                ServerPods.Yaml(missing, missingImage, "Always", "{}", "/bin/sleep", "3600")))).EnsureSuccess();

            // kubelet's prober manager marks an init container that exited 0 ready.
            await ServerPods.WaitAsync(kubectl, server, ["--for=condition=Ready", "pod/" + init], ct);
            using (var pod = await kubectl.GetJsonAsync(["pod", init], ct))
            {
                var status = Assert.Single(pod.RootElement.GetProperty("status").GetProperty("initContainerStatuses").EnumerateArray().ToList());
                Assert.Equal(0, status.GetProperty("state").GetProperty("terminated").GetProperty("exitCode").GetInt32());
                Assert.True(status.GetProperty("ready").GetBoolean(), status.ToString());
            }

            // After every failed image step kubelet also records Warning Failed "Error: <waiting reason>".
            await ServerPods.WaitAsync(kubectl, server, ["--for=jsonpath={.status.containerStatuses[0].state.waiting.reason}=ImagePullBackOff", "pod/" + missing], ct);
            await Eventually.UntilAsync(
                async probe =>
                {
                    using var events = await kubectl.GetJsonAsync(["events", "--field-selector", "type=Warning"], probe);
                    var items = events.RootElement.GetProperty("items").EnumerateArray().ToList();
                    return HasEvent(items, never, "ErrImageNeverPull", $"Container image \"{neverImage}\" is not present with pull policy of Never")
                        && HasEvent(items, never, "Failed", "Error: ErrImageNeverPull")
                        && HasEvent(items, missing, "Failed", "Error: ErrImagePull")
                        && HasEvent(items, missing, "Failed", "Error: ImagePullBackOff");
                },
                "the Warning Failed \"Error: …\" events of both pods",
                ct);

            (await kubectl.RunAsync(["delete", "pod", init, never, missing, "--timeout=60s"], ct)).EnsureSuccess();
            Assert.Equal(0, await server.StopAsync(ct));
        }, ct);
    }

    [Fact]
    public async Task A_pod_past_its_active_deadline_shows_Failed_while_its_containers_are_still_stopping()
    {
        using var deadline = TestDeadline.Seconds(240);
        var ct = deadline.Token;
        await ServerScenario.RunAsync(registry, async (server, kubectl) =>
        {
            // sleep as PID 1 ignores SIGTERM, so the kill takes the whole 60 s grace period (room for a loaded CI machine); kubelet reports the
            // verdict at the deadline, not when the kill is done.
            var name = server.Prefix + "-deadline";
            var yaml = ServerPods.Yaml(name, registry.Image, "Never", "{}", "/bin/sleep", "3600")
                .Replace("terminationGracePeriodSeconds: 2", "terminationGracePeriodSeconds: 60\n  activeDeadlineSeconds: 6", StringComparison.Ordinal);
            (await kubectl.RunAsync(["apply", "-f", "-"], ct, yaml)).EnsureSuccess();
            await ServerPods.WaitAsync(kubectl, server, ["--for=condition=Ready", "pod/" + name], ct);
            var wait = await kubectl.RunAsync(["wait", "--for=jsonpath={.status.reason}=DeadlineExceeded", "pod/" + name, "--timeout=45s"], ct);
            Assert.True(wait.Succeeded, $"the pod did not show DeadlineExceeded before its grace period ended: {wait.StandardError}");
            using (var pod = await kubectl.GetJsonAsync(["pod", name], ct))
            {
                var status = pod.RootElement.GetProperty("status");
                Assert.Equal("Failed", status.GetProperty("phase").GetString());
                Assert.Equal("Pod was active on the node longer than the specified deadline", status.GetProperty("message").GetString());
            }

            // A Failed pod leaves the API at once; the node is still killing it, and stops only once that is done.
            (await kubectl.RunAsync(["delete", "pod", name, "--timeout=90s"], ct)).EnsureSuccess();
            using (var cri = CriClientFactory.Connect(server.CriEndpoint))
            {
                await Eventually.UntilAsync(
                    async probe => (await cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest(), cancellationToken: probe)).Items.Count == 0,
                    "the node role to remove the pod's sandbox",
                    ct);
            }

            Assert.Equal(0, await server.StopAsync(ct));
        }, ct);
    }

    [Fact]
    public async Task A_privileged_container_runs_because_its_sandbox_is_privileged_too()
    {
        using var deadline = TestDeadline.Seconds(180);
        var ct = deadline.Token;
        await ServerScenario.RunAsync(registry, async (server, kubectl) =>
        {
            // kubelet marks the sandbox privileged when any container is; runtimes refuse the container otherwise.
            var name = server.Prefix + "-priv";
            var yaml = ServerPods.Yaml(name, registry.Image, "Always", "{}", "/bin/sleep", "3600") + "    securityContext: {privileged: true}\n";
            (await kubectl.RunAsync(["apply", "-f", "-"], ct, yaml)).EnsureSuccess();
            await ServerPods.WaitAsync(kubectl, server, ["--for=condition=Ready", "pod/" + name], ct);
            var exec = await kubectl.RunAsync(["exec", name, "--", "/bin/grep", "CapEff", "/proc/self/status"], ct);
            Assert.True(exec.Succeeded, exec.StandardError);
            Assert.DoesNotMatch(@"CapEff:\s+0+\s*$", exec.StandardOutput);

            (await kubectl.RunAsync(["delete", "pod", name, "--timeout=60s"], ct)).EnsureSuccess();
            Assert.Equal(0, await server.StopAsync(ct));
        }, ct);
    }

    private static bool HasEvent(List<JsonElement> items, string pod, string reason, string message)
        => items.Any(e => e.GetProperty("involvedObject").GetProperty("name").GetString() == pod
            && e.GetProperty("reason").GetString() == reason
            && e.GetProperty("message").GetString() == message);

    private static string FsGroupPod(string name, string image) => $$"""
        apiVersion: v1
        kind: Secret
        metadata: {name: {{name}}, namespace: default}
        stringData: {pw: sekret}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: {{name}}, namespace: default}
        data: {a: hello}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: {{name}}, namespace: default}
        spec:
          terminationGracePeriodSeconds: 1
          securityContext: {runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000}
          containers:
          - name: main
            image: {{image}}
            command: ["/bin/sleep", "3600"]
            volumeMounts:
            - {name: sec, mountPath: /sec}
            - {name: cm, mountPath: /cm}
            - {name: proj, mountPath: /proj}
            - {name: disk, mountPath: /disk}
            - {name: mem, mountPath: /mem}
          volumes:
          - name: sec
            secret:
              secretName: {{name}}
              defaultMode: 0400
          - name: cm
            configMap:
              name: {{name}}
              items:
              - {key: a, path: a, mode: 0600}
          - name: proj
            projected:
              defaultMode: 0400
              sources:
              - configMap:
                  name: {{name}}
          - name: disk
            emptyDir: {}
          - name: mem
            emptyDir:
              medium: Memory

        """;

    private static string InitPod(string name, string image) => $$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: {{name}}, namespace: default}
        spec:
          terminationGracePeriodSeconds: 1
          initContainers:
          - name: init
            image: {{image}}
            command: ["/bin/true"]
          containers:
          - name: main
            image: {{image}}
            command: ["/bin/sleep", "3600"]

        """;
}
