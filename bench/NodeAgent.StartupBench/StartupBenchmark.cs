using System.Diagnostics;
using System.Globalization;
using k8s;
using k8s.Models;
using NodeAgent.Cri;
using NodeAgent.Cri.V1;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Containerd;
using NodeAgent.Testing.Processes;

namespace NodeAgent.StartupBench;

/// <summary>Startup figures of one phase: the SLI percentiles, throughput, and where the time went.</summary>
internal sealed record PhaseFigures(int Pods, double P50Ms, double P99Ms, double PodsPerSecond, double BindP50Ms, double NodeP50Ms, string LoadAverage)
{
    /// <summary>CPU the server process (API, scheduler, node role, and the built-in runtime when in use) spent per pod.</summary>
    public double ServerCpuMsPerPod { get; init; }

    /// <summary>CPU of the server and the programs it started (conmon, runc create/start, CNI plugins, unshare) per pod.</summary>
    public double GroupCpuMsPerPod { get; init; }

    /// <summary>CPU of the pod cgroups (runc init and the containers; every pod on the machine) per pod.</summary>
    public double PodsCpuMsPerPod { get; init; }

    /// <summary>How busy all cores were during the phase (other work on the machine included).</summary>
    public double MachineBusyPercent { get; init; }
}

/// <summary>
/// Pod startup latency as Kubernetes' SLI (pod created → all its containers started, seen through a watch; image
/// already present) through a real <c>nodeagent server</c>: N pods one after another, then N created at once. Run on
/// the built-in runtime and on the containerd fixture behind the same node role (<c>--container-runtime-endpoint</c>).
/// </summary>
internal static class StartupBenchmark
{
    private const string Namespace = "default";

    public static async Task RunAsync(int sequential, int burst, bool oursOnly, TextWriter output, CancellationToken ct)
    {
        var fixture = new ContainerdFixture();
        await fixture.InitializeAsync();
        try
        {
            var ours = await RunTargetAsync("nodeagent", fixture, null, sequential, burst, output, ct);
            if (oursOnly)
            {
                return;
            }

            var containerd = await RunTargetAsync("containerd 1.6", fixture, fixture.Containerd.Settings.Endpoint, sequential, burst, output, ct);
            await PrintAsync(output, [("sequential", ours.Sequential, containerd.Sequential), ("burst", ours.Burst, containerd.Burst)]);
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    private static async Task<(PhaseFigures Sequential, PhaseFigures Burst)> RunTargetAsync(
        string name, ContainerdFixture fixture, string? criEndpoint, int sequential, int burst, TextWriter output, CancellationToken ct)
    {
        var prefix = TestIds.NewPrefix();
        using var dir = new TempDirectory(prefix + "-startup");
        var bridge = prefix + "b";
        var kubeconfig = dir.Combine("admin.kubeconfig");
        var server = StartServer(dir, prefix, bridge, fixture.Registry.Host, criEndpoint);
        var group = ServerCgroup.Create(prefix, server.Id);
        criEndpoint ??= "unix://" + dir.Combine("run", "cri.sock");
        var uids = new List<string>();
        try
        {
            await Eventually.UntilAsync(_ => Task.FromResult(File.Exists(kubeconfig) || server.HasExited), "the server's kubeconfig", ct);
            if (server.HasExited)
            {
                throw new InvalidOperationException($"nodeagent server exited with {server.ExitCode}: {await File.ReadAllTextAsync(dir.Combine("server.log"), ct)}");
            }

            using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
            using var cri = CriClientFactory.Connect(criEndpoint);
            await Eventually.UntilAsync(async probe => (await client.CoreV1.ListNodeAsync(cancellationToken: probe)).Items.Any(IsReady), "the node to be Ready", ct);
            var list = await client.CoreV1.ListNamespacedPodAsync(Namespace, cancellationToken: ct);
            await using var timeline = new PodTimeline(client, Namespace, list.Metadata.ResourceVersion);
            var pods = new PodRunner(client, cri, timeline, fixture.BusyboxReference, server.Id, group, uids);

            // Unmeasured pods first: image pull, JIT, the bridge's first CNI ADD. STARTUP_BENCH_WARMUP=N (default 1)
            // warms the server further, to see the steady state after the JIT has settled.
            await pods.RunAsync(Names("warm", WarmUpPods()), atOnce: false, ct);
            var sequentialFigures = await pods.RunAsync(Names("seq", sequential), atOnce: false, ct);
            await output.WriteLineAsync(Describe(name, "sequential", sequentialFigures));
            var burstFigures = await pods.RunAsync(Names("burst", burst), atOnce: true, ct);
            await output.WriteLineAsync(Describe(name, "burst", burstFigures));
            return (sequentialFigures, burstFigures);
        }
        finally
        {
            await TestProcess.StopAsync(server, TimeSpan.FromSeconds(10));
            server.Dispose();
            KeepServerLog(dir, name);
            using var cleanup = TestDeadline.Seconds(60);
            await RemoveLeftoverSandboxesAsync(criEndpoint, cleanup.Token);
            await HostCleanup.DeleteBridgeAsync(bridge, cleanup.Token);
            PodCgroups.Remove(uids);
            group?.Dispose();
        }
    }

    private static Process StartServer(TempDirectory dir, string prefix, string bridge, string registry, string? criEndpoint)
    {
        var config = dir.Combine("config.yaml");
        File.WriteAllText(config, $"data-dir: {dir.Combine("data")}\n");
        List<string> args =
        [
            "exec", Path.Combine(AppContext.BaseDirectory, "nodeagent.dll"), "server", "--config", config,
            "--data-dir", dir.Combine("data"),
            "--run-dir", dir.Combine("run"),
            "--api-address", "127.0.0.1",
            "--api-port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
            "--kubeconfig", dir.Combine("admin.kubeconfig"),
            "--node-name", prefix + "-node",
            "--bridge", bridge,
            "--pod-cidr", TestIds.NewSubnet24(),
            "--insecure-registry", registry,
        ];
        if (criEndpoint is not null)
        {
            args.AddRange(["--container-runtime-endpoint", criEndpoint]);
        }

        return TestProcess.StartBackground("dotnet", args, dir.Combine("server.log"));
    }

    /// <summary>What a stopped server left (pods outlive it by design): removed through the runtime.</summary>
    private static async Task RemoveLeftoverSandboxesAsync(string criEndpoint, CancellationToken ct)
    {
        try
        {
            using var cri = CriClientFactory.Connect(criEndpoint);
            foreach (var sandbox in (await cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest(), cancellationToken: ct)).Items)
            {
                await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandbox.Id }, cancellationToken: ct);
                await cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandbox.Id }, cancellationToken: ct);
            }
        }
        catch (Grpc.Core.RpcException)
        {
            // The built-in runtime stopped with its server: nothing can be listed, and its pods were deleted before.
        }
    }

    /// <summary>STARTUP_BENCH_LOG_DIR=DIR keeps the server's log (e.g. with NODEAGENT_LOG_LEVEL=Debug, for a pod's timeline).</summary>
    private static void KeepServerLog(TempDirectory dir, string target)
    {
        if (Environment.GetEnvironmentVariable("STARTUP_BENCH_LOG_DIR") is { Length: > 0 } keep)
        {
            Directory.CreateDirectory(keep);
            var name = string.Create(CultureInfo.InvariantCulture, $"server-{target.Split(' ')[0]}-{DateTime.UtcNow:HHmmss}.log");
            File.Copy(dir.Combine("server.log"), Path.Combine(keep, name), overwrite: true);
        }
    }

    private static int WarmUpPods()
        => int.TryParse(Environment.GetEnvironmentVariable("STARTUP_BENCH_WARMUP"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;

    private static bool IsReady(V1Node node) => node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private static string[] Names(string phase, int count) => Enumerable.Range(0, count).Select(i => $"{phase}-{i}").ToArray();

    private static string Describe(string target, string phase, PhaseFigures f) => string.Create(
        CultureInfo.InvariantCulture,
        $"[{target}] {phase}: {f.Pods} pods, p50 {f.P50Ms:0} ms, p99 {f.P99Ms:0} ms, {f.PodsPerSecond:0.0} pods/s; created→bound p50 {f.BindP50Ms:0} ms, bound→started p50 {f.NodeP50Ms:0} ms; server CPU {f.ServerCpuMsPerPod:0} ms/pod, with its programs {f.GroupCpuMsPerPod:0} ms/pod, pod cgroups {f.PodsCpuMsPerPod:0} ms/pod, machine {f.MachineBusyPercent:0}% busy; load {f.LoadAverage}");

    private static async Task PrintAsync(TextWriter output, (string Phase, PhaseFigures Ours, PhaseFigures Containerd)[] rows)
    {
        await output.WriteLineAsync();
        await output.WriteLineAsync("pod startup SLI (created → all containers started, via watch)      nodeagent   containerd 1.6   target (ours)");
        foreach (var (phase, ours, containerd) in rows)
        {
            await output.WriteLineAsync(Row($"{phase}: p50 ms", ours.P50Ms, containerd.P50Ms, phase == "sequential" ? "≤ 150" : ""));
            await output.WriteLineAsync(Row($"{phase}: p99 ms", ours.P99Ms, containerd.P99Ms, phase == "sequential" ? "≤ 300" : ""));
            await output.WriteLineAsync(Row($"{phase}: pods/s", ours.PodsPerSecond, containerd.PodsPerSecond, phase == "burst" ? "≥ 20" : ""));
            await output.WriteLineAsync(Row($"{phase}: created→bound p50 ms (scheduler)", ours.BindP50Ms, containerd.BindP50Ms, ""));
            await output.WriteLineAsync(Row($"{phase}: bound→started p50 ms (node + runtime)", ours.NodeP50Ms, containerd.NodeP50Ms, ""));
            await output.WriteLineAsync(Row($"{phase}: server process CPU ms per pod", ours.ServerCpuMsPerPod, containerd.ServerCpuMsPerPod, ""));
            await output.WriteLineAsync(Row($"{phase}: server + its programs CPU ms per pod", ours.GroupCpuMsPerPod, containerd.GroupCpuMsPerPod, ""));
            await output.WriteLineAsync(Row($"{phase}: pod cgroups CPU ms per pod (runc init, containers)", ours.PodsCpuMsPerPod, containerd.PodsCpuMsPerPod, ""));
            await output.WriteLineAsync(Row($"{phase}: machine busy % (all processes)", ours.MachineBusyPercent, containerd.MachineBusyPercent, ""));
            await output.WriteLineAsync($"  {phase}: load average during the phase: nodeagent {ours.LoadAverage}; containerd {containerd.LoadAverage}");
        }
    }

    private static string Row(string label, double ours, double containerd, string target)
        => string.Create(CultureInfo.InvariantCulture, $"  {label,-64} {ours,9:0.0}   {containerd,14:0.0}   {target}");
}
