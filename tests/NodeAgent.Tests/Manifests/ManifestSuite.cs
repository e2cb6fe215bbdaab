using System.Text.Json;
using NodeAgent.Cri;
using NodeAgent.Cri.V1;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Kubectl;
using NodeAgent.Tests.Server;

namespace NodeAgent.Tests.Manifests;

/// <summary>
/// Every example in manifests/ applied unchanged with the real kubectl to a real <c>nodeagent server</c>, waited for,
/// and checked from what its containers saw (they print it into their termination message and exit) or from the pod's
/// status and events. One suite, run once per CRI runtime behind the node role.
/// </summary>
public abstract class ManifestSuite(ManifestFixture fixture)
{
    protected ManifestFixture Fixture { get; } = fixture;

    /// <summary>The server's network: the registry mirror for docker.io, and for containerd its endpoint.</summary>
    private protected abstract ServerNetwork Network();

    [Fact]
    [ExercisesManifest("probes.yaml")]
    public Task Probes_gate_readiness_and_failing_ones_report_unhealthy_and_restart() => RunAsync("probes.yaml", async (m, ct) =>
    {
        await m.WaitAsync(["--for=condition=Ready", "pod/probes"], ct);
        using (var pod = await m.Kubectl.GetJsonAsync(["pod", "probes"], ct))
        {
            var status = ContainerStatus(pod, "web");
            Assert.True(status.GetProperty("started").GetBoolean());
            Assert.True(status.GetProperty("ready").GetBoolean());
            Assert.Equal(0, status.GetProperty("restartCount").GetInt32());
        }

        await m.WaitAsync(["--for=jsonpath={.status.containerStatuses[0].restartCount}=1", "pod/probes-failing"], ct);
        using (var pod = await m.Kubectl.GetJsonAsync(["pod", "probes-failing"], ct))
        {
            Assert.False(ContainerStatus(pod, "app").GetProperty("ready").GetBoolean());
        }

        var events = await EventsAsync(m.Kubectl, "probes-failing", ct);
        Assert.Contains(events, e => e.Type == "Warning" && e.Reason == "Unhealthy" && e.FieldPath == "spec.containers{app}"
            && e.Message.StartsWith("Liveness probe failed: cat: can't open '/tmp/healthy'", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Type == "Warning" && e.Reason == "Unhealthy"
            && e.Message.StartsWith("Readiness probe failed: ", StringComparison.Ordinal) && e.Message.Contains(":8081/ready", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Type == "Normal" && e.Reason == "Killing" && e.Message == "Container app failed liveness probe, will be restarted");
        Assert.DoesNotContain(await EventsAsync(m.Kubectl, "probes", ct), e => e.Reason == "Unhealthy" && !e.Message.StartsWith("Startup", StringComparison.Ordinal));
    });

    [Fact]
    [ExercisesManifest("volumes.yaml")]
    public Task Volumes_show_their_contents_modes_and_mount_options() => RunAsync("volumes.yaml", async (m, ct) =>
    {
        var seen = await m.TerminationMessageAsync("volumes", "Succeeded", ct);
        var hostId = File.ReadLines("/etc/os-release").First(l => l.StartsWith("ID=", StringComparison.Ordinal));
        Assert.Equal("hi", seen["scratch"]);
        Assert.StartsWith("tmpfs,", seen["ram"], StringComparison.Ordinal);
        Assert.Contains("size=16384k", seen["ram"], StringComparison.Ordinal);
        Assert.Equal(hostId, seen["hostpath"]);
        Assert.Equal("color=blue mode=640", seen["config"]);
        Assert.Equal("conf", seen["config-files"]);
        Assert.Equal("s3cret mode=400", seen["secret"]);
        Assert.Equal("volumes app=\"volumes\" cpu=250", seen["podinfo"]);
        Assert.Equal("hello abc123 default", seen["projected"]);
        Assert.Equal("color=blue", seen["subpath"]);
        Assert.Equal("touch: /readonly/x: Read-only file system", seen["readonly"]);
    });

    [Fact]
    [ExercisesManifest("env.yaml")]
    public Task Env_resolves_references_fields_resources_env_from_and_expansion() => RunAsync("env.yaml", async (m, ct) =>
    {
        var seen = await m.TerminationMessageAsync("env", "Succeeded", ct);
        using var pod = await m.Kubectl.GetJsonAsync(["pod", "env"], ct);
        Assert.Equal("hello", seen["GREETING"]);
        Assert.Equal("debug", seen["LOG_LEVEL"]);
        Assert.Equal("t0ken", seen["TOKEN"]);
        Assert.Equal("env", seen["POD_NAME"]);
        Assert.Equal("default", seen["POD_NAMESPACE"]);
        Assert.Equal(pod.RootElement.GetProperty("status").GetProperty("podIP").GetString(), seen["POD_IP"]);
        Assert.Equal(m.Server.Network.NodeName, seen["NODE_NAME"]);
        Assert.Equal("32", seen["MEMORY_LIMIT_MI"]);
        Assert.Equal("100", seen["CPU_REQUEST_M"]);
        Assert.Equal("hello from env", seen["MESSAGE"]);
        Assert.Equal("$(GREETING)", seen["ESCAPED"]);
        Assert.Equal("debug", seen["CFG_LOG_LEVEL"]);
        Assert.Equal("fast", seen["CFG_MODE"]);
        Assert.Equal("t0ken", seen["API_TOKEN"]);
        Assert.Equal("admin", seen["DB_USER"]);
        Assert.Equal("hello from env", seen["arg"]);
    });

    [Fact]
    [ExercisesManifest("init-containers.yaml")]
    public Task Init_containers_run_in_order_before_the_app() => RunAsync("init-containers.yaml", async (m, ct) =>
    {
        var message = await m.RawTerminationMessageAsync("init-containers", "Succeeded", "app", ct);
        Assert.Equal("step 1: fetch\nstep 2: prepare\nstep 3: app\n", message);
        using var pod = await m.Kubectl.GetJsonAsync(["pod", "init-containers"], ct);
        var inits = pod.RootElement.GetProperty("status").GetProperty("initContainerStatuses").EnumerateArray().ToList();
        Assert.Equal(["fetch", "prepare"], inits.Select(s => s.GetProperty("name").GetString()));
        Assert.All(inits, s => Assert.Equal("Completed", s.GetProperty("state").GetProperty("terminated").GetProperty("reason").GetString()));
    });

    [Fact]
    [ExercisesManifest("resources-qos.yaml")]
    public Task Resources_set_qos_classes_and_cgroup_limits() => RunAsync("resources-qos.yaml", async (m, ct) =>
    {
        var guaranteed = await m.RawTerminationMessageAsync("qos-guaranteed", "Succeeded", "show", ct);
        // cgroup v1 (quota, period) and v2 (cpu.max) print the same figures; no CPU limit is -1 (v1) or max (v2).
        Assert.Equal("memory=67108864 cpu=50000 100000\n", guaranteed);
        var burstable = await m.RawTerminationMessageAsync("qos-burstable", "Succeeded", "show", ct);
        Assert.Matches("^memory=134217728 cpu=(-1|max) 100000\n$", burstable);
        await m.RawTerminationMessageAsync("qos-besteffort", "Succeeded", "show", ct);
        foreach (var (pod, qos) in new[] { ("qos-guaranteed", "Guaranteed"), ("qos-burstable", "Burstable"), ("qos-besteffort", "BestEffort") })
        {
            using var json = await m.Kubectl.GetJsonAsync(["pod", pod], ct);
            Assert.Equal(qos, json.RootElement.GetProperty("status").GetProperty("qosClass").GetString());
        }
    });

    [Fact]
    [ExercisesManifest("run-to-completion.yaml")]
    public Task Run_to_completion_ends_succeeded_or_failed_per_restart_policy() => RunAsync("run-to-completion.yaml", async (m, ct) =>
    {
        Assert.Equal("all done\n", await m.RawTerminationMessageAsync("completes", "Succeeded", "task", ct));
        Assert.Equal("something broke\n", await m.RawTerminationMessageAsync("fails", "Failed", "task", ct));
        Assert.Equal("second attempt worked\n", await m.RawTerminationMessageAsync("retries", "Succeeded", "task", ct));
        using (var fails = await m.Kubectl.GetJsonAsync(["pod", "fails"], ct))
        {
            var terminated = ContainerStatus(fails, "task").GetProperty("state").GetProperty("terminated");
            Assert.Equal(3, terminated.GetProperty("exitCode").GetInt32());
            Assert.Equal("Error", terminated.GetProperty("reason").GetString());
        }

        using (var completes = await m.Kubectl.GetJsonAsync(["pod", "completes"], ct))
        {
            Assert.Equal("Completed", ContainerStatus(completes, "task").GetProperty("state").GetProperty("terminated").GetProperty("reason").GetString());
        }

        using var retries = await m.Kubectl.GetJsonAsync(["pod", "retries"], ct);
        var status = ContainerStatus(retries, "task");
        Assert.Equal(1, status.GetProperty("restartCount").GetInt32());
        Assert.Equal(1, status.GetProperty("lastState").GetProperty("terminated").GetProperty("exitCode").GetInt32());
    });

    [Fact]
    [ExercisesManifest("security-context.yaml")]
    public Task Security_context_runs_unprivileged_and_read_only() => RunAsync("security-context.yaml", async (m, ct) =>
    {
        var seen = await m.TerminationMessageAsync("security-context", "Succeeded", ct);
        Assert.StartsWith("uid=1000 gid=3000 groups=", seen["id"], StringComparison.Ordinal);
        Assert.Contains("2000", seen["id"], StringComparison.Ordinal);
        Assert.Contains("4000", seen["id"], StringComparison.Ordinal);
        Assert.Equal("1", seen["NoNewPrivs"]);
        Assert.Equal("0000000000000400", seen["CapBnd"]);
        Assert.Equal("2", seen["Seccomp"]);
        Assert.Equal("touch: /probe: Read-only file system", seen["rootfs"]);
        Assert.Equal("1000", seen["scratch"]);
    });

    private async Task RunAsync(string file, Func<ManifestRun, CancellationToken, Task> check)
    {
        using var deadline = TestDeadline.Seconds(300);
        var ct = deadline.Token;
        await ServerScenario.RunAsync(Fixture.Registry, async (server, kubectl) =>
        {
            var path = ManifestFiles.Path(file);
            (await kubectl.RunAsync(["apply", "-f", path], ct)).EnsureSuccess();
            await check(new ManifestRun(server, kubectl), ct);
            var delete = await kubectl.RunAsync(["delete", "-f", path, "--timeout=120s"], ct);
            Assert.True(delete.Succeeded, $"kubectl delete -f {file}: {delete.StandardError}\n{await server.ReadLogAsync(ct)}");
            await WaitForNoSandboxesAsync(server, ct);
            Assert.Equal(0, await server.StopAsync(ct));
        }, ct, Network());
    }

    /// <summary>
    /// A finished pod is deleted by the API at once (grace 0, as upstream), so kubectl returns before the node tore its
    /// sandbox down; the server must not stop before that, or the sandbox stays (pods outlive a server stop by design).
    /// </summary>
    internal static async Task WaitForNoSandboxesAsync(ServerProcess server, CancellationToken ct)
    {
        using var cri = CriClientFactory.Connect(server.CriEndpoint);
        await Eventually.UntilAsync(
            async probe => (await cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest(), cancellationToken: probe)).Items.Count == 0,
            "the node role to remove every pod sandbox",
            ct);
    }

    private static JsonElement ContainerStatus(JsonDocument pod, string name)
        => pod.RootElement.GetProperty("status").GetProperty("containerStatuses").EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);

    private static async Task<List<(string Type, string Reason, string Message, string? FieldPath)>> EventsAsync(KubectlRunner kubectl, string pod, CancellationToken ct)
    {
        using var list = await kubectl.GetJsonAsync(["events", "--field-selector", "involvedObject.name=" + pod], ct);
        return list.RootElement.GetProperty("items").EnumerateArray()
            .Select(e => (
                e.GetProperty("type").GetString()!,
                e.GetProperty("reason").GetString()!,
                e.GetProperty("message").GetString()!,
                e.GetProperty("involvedObject").TryGetProperty("fieldPath", out var f) ? f.GetString() : null))
            .ToList();
    }
}

/// <summary>One applied manifest: the server, kubectl on it, and the waits the checks share.</summary>
internal sealed record ManifestRun(ServerProcess Server, KubectlRunner Kubectl)
{
    public Task WaitAsync(string[] condition, CancellationToken ct) => ServerPods.WaitAsync(Kubectl, Server, condition, ct);

    /// <summary>Waits for the pod's phase, then returns the container's <c>state.terminated.message</c>.</summary>
    public async Task<string> RawTerminationMessageAsync(string pod, string phase, string container, CancellationToken ct)
    {
        await WaitAsync(["--for=jsonpath={.status.phase}=" + phase, "pod/" + pod], ct);
        using var json = await Kubectl.GetJsonAsync(["pod", pod], ct);
        var status = json.RootElement.GetProperty("status").GetProperty("containerStatuses").EnumerateArray().Single(s => s.GetProperty("name").GetString() == container);
        return status.GetProperty("state").GetProperty("terminated").TryGetProperty("message", out var message) ? message.GetString()! : string.Empty;
    }

    /// <summary>The single container's termination message as <c>key=value</c> (or <c>Key:\tvalue</c>) lines.</summary>
    public async Task<IReadOnlyDictionary<string, string>> TerminationMessageAsync(string pod, string phase, CancellationToken ct)
    {
        var message = await RawTerminationMessageAsync(pod, phase, "show", ct);
        var lines = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in message.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var cut = line.IndexOfAny(['=', ':']);
            Assert.True(cut > 0, $"unexpected line '{line}' in the termination message of {pod}:\n{message}");
            lines[line[..cut]] = line[(cut + 1)..].Trim();
        }

        return lines;
    }
}

/// <summary>The example manifests copied next to the test assembly (see the project file).</summary>
internal static class ManifestFiles
{
    public static string Directory => System.IO.Path.Combine(AppContext.BaseDirectory, "manifests");

    public static string Path(string file) => System.IO.Path.Combine(Directory, file);
}
