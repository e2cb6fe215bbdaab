using NodeAgent.StartupBench;

// bench: pod startup latency as Kubernetes' SLI through a real `nodeagent server`, on the built-in runtime and on
// containerd behind the same node role. Figures only; no pass/fail.
// Usage: NodeAgent.StartupBench [SEQUENTIAL_PODS=50] [BURST_PODS=50]   (each at most 100)
var sequential = args.Length > 0 && int.TryParse(args[0], out var s) ? Math.Clamp(s, 1, 100) : 50;
var burst = args.Length > 1 && int.TryParse(args[1], out var b) ? Math.Clamp(b, 1, 100) : 50;
using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(20));
await StartupBenchmark.RunAsync(sequential, burst, Console.Out, cts.Token);
