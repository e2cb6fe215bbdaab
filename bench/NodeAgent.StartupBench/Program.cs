using NodeAgent.StartupBench;

// bench: pod startup latency as Kubernetes' SLI through a real `nodeagent server`, on the built-in runtime and on
// containerd behind the same node role. Figures only; no pass/fail.
// Usage: NodeAgent.StartupBench [SEQUENTIAL_PODS=50] [BURST_PODS=50] [both|nodeagent]   (each at most 100; nodeagent: skip
// containerd, for quick A/B pairs of a change to the built-in runtime)
var sequential = args.Length > 0 && int.TryParse(args[0], out var s) ? Math.Clamp(s, 1, 100) : 50;
var burst = args.Length > 1 && int.TryParse(args[1], out var b) ? Math.Clamp(b, 1, 100) : 50;
using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(20));
var oursOnly = args.Length > 2 && args[2] == "nodeagent";
await StartupBenchmark.RunAsync(sequential, burst, oursOnly, Console.Out, cts.Token);
