using System.Diagnostics;
using System.Globalization;
using NodeAgent.Cri;
using NodeAgent.Cri.V1;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Containerd;
using NodeAgent.Testing.Leaks;
using NodeAgent.Testing.NodeAgentCri;

namespace NodeAgent.PodBench;

/// <summary>How many pods each phase starts (bounded by Program).</summary>
internal sealed record PodBenchOptions(int Sequential, int Concurrent);

/// <summary>
/// The same pod workload against `nodeagent cri` and the containerd fixture, both running, busybox
/// already pulled: N sequential pods (RunPodSandbox + CreateContainer + StartContainer of
/// `sleep 3600`), M at once, memory with all of them running, then teardown. One table with both.
/// </summary>
internal static class PodBenchmark
{
    public static async Task RunAsync(PodBenchOptions options, TextWriter output, CancellationToken ct)
    {
        var fixture = new ContainerdFixture();
        await fixture.InitializeAsync();
        var prefix = TestIds.NewPrefix();
        var dir = new TempDirectory(prefix);
        using var logs = new TempDirectory(TestIds.NewPrefix());
        NodeAgentCriProcess? runtime = null;
        var targets = new List<Target>();
        try
        {
            // The runtime's step timings are Debug lines; the bench reads them from its log.
            Environment.SetEnvironmentVariable("NODEAGENT_LOG_LEVEL", "Debug");
            runtime = await NodeAgentCriProcess.StartAsync(
                new NodeAgentCriSettings { Prefix = prefix, BaseDirectory = dir.Path, InsecureRegistries = [fixture.Registry.Host] }, ct);
            var containerd = fixture.Containerd;
            var containerdPid = ProcessProbe.Find(containerd.Settings.ConfigFile)
                .First(p => p.CommandLine.StartsWith(ContainerdInstance.Binary, StringComparison.Ordinal)).Pid;
            targets.Add(new Target("nodeagent cri", runtime.Client, fixture.BusyboxReference, prefix, dir.Combine("pods"), runtime.ProcessId));
            targets.Add(new Target("containerd 1.6", containerd.Client, fixture.BusyboxReference, containerd.Settings.Prefix, logs.Path, containerdPid));

            var figures = await RunScenarioAsync(targets, options, output, ct);
            await output.WriteLineAsync("nodeagent cri: where the time goes (sequential pods)");
            await output.WriteAsync(StepReport.From(runtime.ReadLog(), skip: 1, take: options.Sequential));
            await PrintAsync(options, figures[0], figures[1], output);
        }
        finally
        {
            foreach (var target in targets)
            {
                await RemoveAllAsync(target, output);
            }

            if (runtime is not null)
            {
                await runtime.DisposeAsync();
                using var cleanup = TestDeadline.Seconds(30);
                await HostCleanup.DeleteBridgeAsync(runtime.Settings.BridgeName, cleanup.Token);
            }

            HostCleanup.RemoveCgroups(prefix);
            dir.Dispose();
            var containerdPrefix = fixture.Containerd.Settings.Prefix;
            await fixture.DisposeAsync();
            HostCleanup.RemoveCgroups(containerdPrefix);
        }
    }

    /// <summary>
    /// Both runtimes run side by side and the sequential pods alternate between them (order
    /// swapped every round), so load from other work on the machine hits both alike.
    /// </summary>
    private static async Task<PodFigures[]> RunScenarioAsync(List<Target> targets, PodBenchOptions options, TextWriter output, CancellationToken ct)
    {
        foreach (var target in targets)
        {
            await target.Client.Images.PullImageAsync(new PullImageRequest { Image = new ImageSpec { Image = target.Image } }, cancellationToken: ct);
            // One unmeasured pod first: JIT, first CNI ADD (bridge creation), page cache.
            target.Sandboxes.Add((await StartPodAsync(target, "warm", ct)).SandboxId);
        }

        var latencies = targets.Select(_ => new List<double>()).ToArray();
        for (var i = 0; i < options.Sequential; i++)
        {
            for (var k = 0; k < targets.Count; k++)
            {
                var t = (i + k) % targets.Count;
                var pod = await StartPodAsync(targets[t], $"seq{i}", ct);
                targets[t].Sandboxes.Add(pod.SandboxId);
                latencies[t].Add(pod.Milliseconds);
            }
        }

        var walls = new double[targets.Count];
        for (var t = 0; t < targets.Count; t++)
        {
            var wall = Stopwatch.StartNew();
            var batch = await Task.WhenAll(Enumerable.Range(0, options.Concurrent).Select(i => StartPodAsync(targets[t], $"par{i}", ct)));
            walls[t] = wall.Elapsed.TotalMilliseconds;
            targets[t].Sandboxes.AddRange(batch.Select(p => p.SandboxId));
        }

        var memory = new Memory[targets.Count];
        for (var t = 0; t < targets.Count; t++)
        {
            memory[t] = Memory.Measure(targets[t], targets[t].Sandboxes.Count);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{targets[t].Name}: {targets[t].Sandboxes.Count} pods running; per-pod processes: {memory[t].Describe}"));
        }

        var teardowns = new double[targets.Count];
        for (var t = 0; t < targets.Count; t++)
        {
            var runtime = targets[t].Client.Runtime;
            var teardown = Stopwatch.StartNew();
            foreach (var id in targets[t].Sandboxes.ToList())
            {
                await runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = id }, cancellationToken: ct);
                await runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = id }, cancellationToken: ct);
                targets[t].Sandboxes.Remove(id);
            }

            teardowns[t] = teardown.Elapsed.TotalMilliseconds;
        }

        return [.. Enumerable.Range(0, targets.Count).Select(t =>
        {
            latencies[t].Sort();
            return new PodFigures(Percentile(latencies[t], 0.50), Percentile(latencies[t], 0.99), walls[t], teardowns[t], memory[t]);
        })];
    }

    /// <summary>Whatever a failure left running goes, under its own deadline.</summary>
    private static async Task RemoveAllAsync(Target target, TextWriter output)
    {
        using var cleanup = TestDeadline.Seconds(60);
        foreach (var id in target.Sandboxes)
        {
            try
            {
                await target.Client.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = id }, cancellationToken: cleanup.Token);
                await target.Client.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = id }, cancellationToken: cleanup.Token);
            }
            catch (Exception e) when (e is Grpc.Core.RpcException or OperationCanceledException)
            {
                await output.WriteLineAsync($"cleanup of sandbox {id} failed: {e.Message}");
            }
        }

        target.Sandboxes.Clear();
    }

    /// <summary>RunPodSandbox + CreateContainer + StartContainer, timed end to end as a kubelet sees it.</summary>
    private static async Task<(string SandboxId, double Milliseconds)> StartPodAsync(Target target, string name, CancellationToken ct)
    {
        var runtime = target.Client.Runtime;
        var sandbox = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = name, Namespace = "bench", Uid = Guid.NewGuid().ToString(), Attempt = 0 },
            Hostname = name,
            LogDirectory = Path.Combine(target.LogRoot, name),
            Labels = { ["app"] = name, ["bench"] = target.Prefix },
            Linux = new LinuxPodSandboxConfig
            {
                CgroupParent = $"/{target.Prefix}/{name}",
                SecurityContext = new LinuxSandboxSecurityContext { NamespaceOptions = new NamespaceOption { Pid = NamespaceMode.Container } },
            },
        };
        var stopwatch = Stopwatch.StartNew();
        var sandboxId = (await runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = sandbox }, cancellationToken: ct)).PodSandboxId;
        var container = await runtime.CreateContainerAsync(
            new CreateContainerRequest
            {
                PodSandboxId = sandboxId,
                SandboxConfig = sandbox,
                Config = new ContainerConfig
                {
                    Metadata = new ContainerMetadata { Name = "sleep" },
                    Image = new ImageSpec { Image = target.Image },
                    Command = { "/bin/sleep", "3600" },
                    LogPath = "sleep/0.log",
                },
            },
            cancellationToken: ct);
        await runtime.StartContainerAsync(new StartContainerRequest { ContainerId = container.ContainerId }, cancellationToken: ct);
        stopwatch.Stop();
        return (sandboxId, stopwatch.Elapsed.TotalMilliseconds);
    }

    private static double Percentile(List<double> sorted, double p)
        => sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static async Task PrintAsync(PodBenchOptions options, PodFigures ours, PodFigures theirs, TextWriter output)
    {
        string Row(string label, Func<PodFigures, double> pick, string format)
        {
            var a = pick(ours);
            var b = pick(theirs);
            return string.Create(CultureInfo.InvariantCulture, $"| {label,-44} | {a.ToString(format, CultureInfo.InvariantCulture),10} | {b.ToString(format, CultureInfo.InvariantCulture),10} | {a / b,6:F2} |");
        }

        await output.WriteLineAsync();
        await output.WriteLineAsync($"| {"pods (busybox present, sleep 3600)",-44} | {"ours",10} | {"containerd",10} | {"ratio",6} |");
        await output.WriteLineAsync($"|{new string('-', 46)}|{new string('-', 12)}|{new string('-', 12)}|{new string('-', 8)}|");
        await output.WriteLineAsync(Row($"{options.Sequential} sequential pods: p50 ms", f => f.P50Ms, "F0"));
        await output.WriteLineAsync(Row($"{options.Sequential} sequential pods: p99 ms", f => f.P99Ms, "F0"));
        await output.WriteLineAsync(Row($"{options.Concurrent} pods at once: wall ms", f => f.ConcurrentWallMs, "F0"));
        await output.WriteLineAsync(Row($"teardown of all {ours.Memory.Pods} pods: ms", f => f.TeardownMs, "F0"));
        await output.WriteLineAsync(Row("runtime RSS MB (all pods running)", f => f.Memory.RuntimeRssMb, "F1"));
        await output.WriteLineAsync(Row("per-pod overhead RSS MB (monitors + infra)", f => f.Memory.PerPodRssMb, "F2"));
        await output.WriteLineAsync(Row("per-pod overhead PSS MB (monitors + infra)", f => f.Memory.PerPodPssMb, "F2"));
    }

    private sealed record Target(string Name, CriClient Client, string Image, string Prefix, string LogRoot, int RuntimePid)
    {
        public List<string> Sandboxes { get; } = [];
    }

    private sealed record PodFigures(double P50Ms, double P99Ms, double ConcurrentWallMs, double TeardownMs, Memory Memory);

    /// <summary>
    /// What a runtime keeps per pod: its monitors (conmon / containerd shims, found by the
    /// runtime's private directory on their command line) and each pod's infra process (the
    /// non-workload processes in the pods' cgroups). The workload (`sleep`) is not overhead.
    /// </summary>
    private sealed record Memory(int Pods, double RuntimeRssMb, double PerPodRssMb, double PerPodPssMb, string Describe)
    {
        public static Memory Measure(Target target, int pods)
        {
            var monitors = ProcessProbe.Find(target.Prefix).Where(p => p.Pid != target.RuntimePid).Select(p => p.Pid);
            var infra = PodProcesses(target.Prefix).Where(pid => !CommandLine(pid).Contains("sleep", StringComparison.Ordinal));
            var pids = monitors.Concat(infra).Distinct().ToList();
            var kinds = pids.GroupBy(pid => Path.GetFileName(CommandLine(pid).Split(' ')[0])).Select(g => $"{g.Count()}× {g.Key}");
            return new Memory(
                pods,
                KilobytesOf(target.RuntimePid, "status", "VmRSS:") / 1024.0,
                pids.Sum(pid => KilobytesOf(pid, "status", "VmRSS:")) / 1024.0 / pods,
                pids.Sum(pid => KilobytesOf(pid, "smaps_rollup", "Pss:")) / 1024.0 / pods,
                string.Join(", ", kinds));
        }

        /// <summary>Processes whose cgroup path (any hierarchy) lies under /PREFIX/, where the bench put every pod.</summary>
        private static IEnumerable<int> PodProcesses(string prefix)
        {
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    continue;
                }

                string cgroups;
                try
                {
                    cgroups = File.ReadAllText(Path.Combine(directory, "cgroup"));
                }
                catch (IOException)
                {
                    continue;
                }

                if (cgroups.Contains($":/{prefix}/", StringComparison.Ordinal))
                {
                    yield return pid;
                }
            }
        }

        private static string CommandLine(int pid)
        {
            try
            {
                return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            }
            catch (IOException)
            {
                return string.Empty;
            }
        }

        private static long KilobytesOf(int pid, string file, string key)
        {
            try
            {
                var line = File.ReadLines($"/proc/{pid}/{file}").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
                return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                return 0;
            }
        }
    }
}
