using System.Diagnostics;
using System.Globalization;
using System.Text;
using k8s;
using k8s.Models;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Etcd;
using NodeAgent.Testing.Kubectl;
using NodeAgent.Testing.Processes;

namespace NodeAgent.ApiBench;

/// <summary>One backend: start a real server, run each phase in order, stop it. A failed phase ends the run.</summary>
internal static class ApiBenchmark
{
    private const string ApplyNamespace = "bench-apply";
    private const string PodNamespace = "bench-pods";
    private const string WatchNamespace = "bench-watch";

    /// <summary>
    /// Every bench pod (and Deployment template) is bound to this node, which never registers: the scheduler leaves
    /// bound pods alone and the server's node role runs only pods bound to itself, so the bench starts no containers.
    /// </summary>
    private const string NowhereNode = "bench-nowhere";

    /// <summary>
    /// Lets the runtime finish start-up work (tiering, first GCs) before idle RSS is read, and the server hand its
    /// startup garbage back (5 s after its components start, ServerCommand.ReleaseStartupMemoryAsync); a bench, not a test.
    /// </summary>
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(10);

    public static async Task<BackendResult> RunAsync(string backend, BenchSettings settings, TextWriter log, CancellationToken ct)
    {
        var result = new BackendResult(backend);
        EtcdFixture? etcd = null;
        using var dir = new TempDirectory(TestIds.NewPrefix() + "-apibench");
        Process? server = null;
        try
        {
            if (backend == "etcd")
            {
                etcd = await EtcdFixture.StartNewAsync(EtcdOptions.Default with { ProgressNotifyInterval = TimeSpan.FromSeconds(5) }, ct);
            }

            var kubeconfig = dir.Combine("admin.kubeconfig");
            server = StartServer(dir, kubeconfig, etcd?.Endpoint);
            log.WriteLine($"[{backend}] nodeagent server pid {server.Id}, log {dir.Combine("server.log")}");
            await Eventually.UntilAsync(_ => Task.FromResult(File.Exists(kubeconfig) || server.HasExited), "the server's kubeconfig", ct);
            if (server.HasExited)
            {
                throw new InvalidOperationException($"nodeagent server exited with {server.ExitCode}: {await File.ReadAllTextAsync(dir.Combine("server.log"), ct)}");
            }

            await Task.Delay(SettleTime, ct);
            result.IdleRssMb = ProcessMemory.RssMb(server.Id);
            log.WriteLine($"[{backend}] idle RSS {result.IdleRssMb:0.0} MB");

            using var kubectl = new KubectlRunner(kubeconfig);
            var serverCpu = ProcessMemory.CpuSeconds(server.Id);
            var kubectlCpu = ProcessMemory.ReapedChildrenCpuSeconds();
            var etcdBefore = etcd is null ? null : await EtcdCounters.ReadAsync(etcd.Endpoint, ct);
            result.ApplySeconds = await ApplyAsync(kubectl, dir, ApplyNamespace, settings.ApplyObjects, ct);
            result.ApplyKubectlCpuSeconds = ProcessMemory.ReapedChildrenCpuSeconds() - kubectlCpu;
            result.ApplyServerCpuSeconds = ProcessMemory.CpuSeconds(server.Id) - serverCpu;
            log.WriteLine($"[{backend}] kubectl apply of {settings.ApplyObjects} objects: {result.ApplySeconds:0.00} s "
                + $"(CPU: kubectl {result.ApplyKubectlCpuSeconds:0.00} s, server {result.ApplyServerCpuSeconds:0.00} s)");
            if (etcd is not null && etcdBefore is not null)
            {
                // Includes the controllers' writes triggered by the applied Deployments and Services.
                log.WriteLine($"[{backend}] during the apply: {await EtcdCounters.ReadAsync(etcd.Endpoint, ct) - etcdBefore}");
            }

            // The same manifest into a second namespace: what a server that has served requests before costs
            // (the first apply also pays for JIT compilation, discovery and OpenAPI).
            serverCpu = ProcessMemory.CpuSeconds(server.Id);
            kubectlCpu = ProcessMemory.ReapedChildrenCpuSeconds();
            result.WarmApplySeconds = await ApplyAsync(kubectl, dir, ApplyNamespace + "-2", settings.ApplyObjects, ct);
            result.WarmApplyKubectlCpuSeconds = ProcessMemory.ReapedChildrenCpuSeconds() - kubectlCpu;
            result.WarmApplyServerCpuSeconds = ProcessMemory.CpuSeconds(server.Id) - serverCpu;
            log.WriteLine($"[{backend}] second kubectl apply of {settings.ApplyObjects} objects (another namespace): {result.WarmApplySeconds:0.00} s "
                + $"(CPU: kubectl {result.WarmApplyKubectlCpuSeconds:0.00} s, server {result.WarmApplyServerCpuSeconds:0.00} s)");


            using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
            await CreateNamespacesAsync(client, ct);
            result.Create = await MeasureAsync(settings.Pods, i => client.CoreV1.CreateNamespacedPodAsync(Pod(i), PodNamespace, cancellationToken: ct));
            log.WriteLine($"[{backend}] create p50 {result.Create.P50:0.0} ms p99 {result.Create.P99:0.0} ms");
            result.Get = await MeasureAsync(settings.Gets, i => client.CoreV1.ReadNamespacedPodAsync(PodName(i), PodNamespace, cancellationToken: ct));
            log.WriteLine($"[{backend}] get p50 {result.Get.P50:0.0} ms p99 {result.Get.P99:0.0} ms");
            result.List = await MeasureAsync(settings.Lists, async _ =>
            {
                var list = await client.CoreV1.ListNamespacedPodAsync(PodNamespace, cancellationToken: ct);
                if (list.Items.Count != settings.Pods)
                {
                    throw new InvalidOperationException($"list returned {list.Items.Count} pods, want {settings.Pods}");
                }
            });
            log.WriteLine($"[{backend}] list p50 {result.List.P50:0.0} ms p99 {result.List.P99:0.0} ms");
            result.LoadedRssMb = ProcessMemory.RssMb(server.Id);

            var (complete, toLast) = await WatchAsync(client, settings, ct);
            result.WatchersComplete = complete;
            result.WatchTimeToLastMs = toLast;
            log.WriteLine($"[{backend}] {complete}/{settings.Watchers} watchers saw all {settings.WatchEvents} events; last one {toLast:0} ms after the last create");
        }
        catch (Exception e) when (e is not OperationCanceledException || ct.IsCancellationRequested)
        {
            result.Error = e is OperationCanceledException ? "time limit reached" : $"{e.GetType().Name}: {FirstLine(e.Message)}";
            log.WriteLine($"[{backend}] stopped: {e.Message}");
        }
        finally
        {
            if (server is not null)
            {
                result.PeakRssMb = server.HasExited ? null : ProcessMemory.PeakMb(server.Id);
                await TestProcess.StopAsync(server, TimeSpan.FromSeconds(10));
                server.Dispose();
            }

            if (etcd is not null)
            {
                await etcd.DisposeAsync();
            }
        }

        return result;
    }

    private static Process StartServer(TempDirectory dir, string kubeconfig, string? etcdEndpoint)
    {
        var dll = Environment.GetEnvironmentVariable("BENCH_NODEAGENT_DLL") is { Length: > 0 } given
            ? given
            : Path.Combine(AppContext.BaseDirectory, "nodeagent.dll");
        var config = dir.Combine("config.yaml");
        File.WriteAllText(config, $"data-dir: {dir.Combine("data")}\n");

        // Its own names and ranges (as tests use), so nothing of a real install or another run is touched even if a
        // pod were ever started; the node gets the first /24 of the pod CIDR.
        var prefix = TestIds.NewPrefix();
        var podCidr = TestIds.NewSubnet24();
        var serviceCidr = TestIds.NewSubnet24();
        while (serviceCidr == podCidr)
        {
            serviceCidr = TestIds.NewSubnet24();
        }

        // A .dll runs under `dotnet exec`; anything else is the executable itself (a Native AOT publish).
        var isDll = dll.EndsWith(".dll", StringComparison.Ordinal);
        List<string> args =
        [
            .. isDll ? (string[])["exec", dll] : [],
            "server", "--config", config,
            "--run-dir", dir.Combine("run"),
            "--node-name", prefix + "-node",
            "--bridge", prefix,
            "--pod-cidr", podCidr,
            "--service-cidr", serviceCidr,
            "--api-address", "127.0.0.1",
            "--api-port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
            "--kubeconfig", kubeconfig,
            "--datastore-endpoint", etcdEndpoint ?? "sqlite",
        ];
        return TestProcess.StartBackground(isDll ? "dotnet" : dll, args, dir.Combine("server.log"));
    }

    /// <summary>One multi-document file of a Namespace and ConfigMaps, Services and Deployments (a third each), applied once.</summary>
    private static async Task<double> ApplyAsync(KubectlRunner kubectl, TempDirectory dir, string ns, int objects, CancellationToken ct)
    {
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n");
        for (var i = 0; i < objects; i++)
        {
            yaml.Append("---\n").Append((i % 3) switch
            {
                0 => ConfigMapYaml(ns, i),
                1 => ServiceYaml(ns, i),
                _ => DeploymentYaml(ns, i),
            });
        }

        var file = dir.Combine($"apply-{ns}.yaml");
        await File.WriteAllTextAsync(file, yaml.ToString(), ct);
        var watch = Stopwatch.StartNew();
        (await kubectl.RunAsync(["apply", "-f", file], ct)).EnsureSuccess();
        return watch.Elapsed.TotalSeconds;
    }

    private static string ConfigMapYaml(string ns, int i) => string.Create(CultureInfo.InvariantCulture,
        $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n  namespace: {ns}\n  labels:\n    app: bench\ndata:\n  key: value-{i}\n");

    /// <summary>The second namespace's Services are headless: the bench's service range is a /24, too small for both.</summary>
    private static string ServiceYaml(string ns, int i) => string.Create(CultureInfo.InvariantCulture,
        $"apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{i}\n  namespace: {ns}\nspec:\n{(ns == ApplyNamespace ? "" : "  clusterIP: None\n")}  selector:\n    app: web-{i}\n  ports:\n  - port: 80\n    targetPort: 8080\n");

    private static string DeploymentYaml(string ns, int i) => string.Create(CultureInfo.InvariantCulture,
        $"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-{i}\n  namespace: {ns}\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: web-{i}\n  template:\n    metadata:\n      labels:\n        app: web-{i}\n    spec:\n      nodeName: {NowhereNode}\n      containers:\n      - name: web\n        image: busybox:1.36\n        command: [\"sleep\", \"3600\"]\n        ports:\n        - containerPort: 8080\n");

    private static async Task CreateNamespacesAsync(Kubernetes client, CancellationToken ct)
    {
        foreach (var name in new[] { PodNamespace, WatchNamespace })
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } }, cancellationToken: ct);
        }
    }

    private static string PodName(int i) => string.Create(CultureInfo.InvariantCulture, $"pod-{i}");

    private static V1Pod Pod(int i) => new()
    {
        Metadata = new V1ObjectMeta { Name = PodName(i), Labels = new Dictionary<string, string> { ["app"] = "bench" } },
        Spec = new V1PodSpec
        {
            NodeName = NowhereNode,
            Containers = [new V1Container { Name = "main", Image = "busybox:1.36", Command = ["sleep", "3600"] }],
        },
    };

    /// <summary>Sequential requests (one client, as a controller would issue them); milliseconds per request.</summary>
    private static async Task<Percentiles> MeasureAsync(int count, Func<int, Task> request)
    {
        var samples = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await request(i);
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return Percentiles.Of(samples);
    }

    /// <summary>
    /// Watchers start from the namespace's current resourceVersion; then ConfigMaps are created (four
    /// writers). Returns how many watchers saw every ADDED event and when the last one arrived,
    /// measured from the end of the last create.
    /// </summary>
    private static async Task<(int Complete, double TimeToLastMs)> WatchAsync(Kubernetes client, BenchSettings settings, CancellationToken ct)
    {
        var start = await client.CoreV1.ListNamespacedConfigMapAsync(WatchNamespace, cancellationToken: ct);
        var resourceVersion = start.Metadata.ResourceVersion;
        using var watchDeadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        watchDeadline.CancelAfter(TimeSpan.FromMinutes(5));
        var lastEventAt = new long[settings.Watchers];
        var ready = new TaskCompletionSource[settings.Watchers];
        var watchers = new Task<int>[settings.Watchers];
        for (var w = 0; w < settings.Watchers; w++)
        {
            var index = w;
            ready[index] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            watchers[index] = Task.Run(() => WatchOneAsync(client, resourceVersion, settings.WatchEvents, ready[index], t => lastEventAt[index] = t, watchDeadline.Token));
        }

        await Task.WhenAll(ready.Select(r => r.Task)).WaitAsync(TimeSpan.FromSeconds(60), ct);
        var next = -1;
        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < settings.WatchEvents)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"cm-{i}");
                await client.CoreV1.CreateNamespacedConfigMapAsync(
                    new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name }, Data = new Dictionary<string, string> { ["i"] = name } },
                    WatchNamespace, cancellationToken: ct);
            }
        }, ct));
        await Task.WhenAll(writers);
        var lastCreate = Stopwatch.GetTimestamp();
        var seen = await Task.WhenAll(watchers);
        var last = lastEventAt.Max();
        return (seen.Count(n => n == settings.WatchEvents), last == 0 ? double.NaN : Math.Max(0, Stopwatch.GetElapsedTime(lastCreate, last).TotalMilliseconds));
    }

    private static async Task<int> WatchOneAsync(
        Kubernetes client, string resourceVersion, int expected, TaskCompletionSource ready, Action<long> onEvent, CancellationToken ct)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var events = client.CoreV1.WatchListNamespacedConfigMapAsync(
                namespaceParameter: WatchNamespace, allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: 600, cancellationToken: ct);
            ready.TrySetResult();
            await foreach (var (type, configMap) in events)
            {
                if (type == WatchEventType.Added && seen.Add(configMap.Metadata.Name))
                {
                    onEvent(Stopwatch.GetTimestamp());
                    if (seen.Count == expected)
                    {
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The watch deadline: report what arrived.
        }
        finally
        {
            ready.TrySetResult();
        }

        return seen.Count;
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
