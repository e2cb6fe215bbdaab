using NodeAgent.PodBench;

// bench: pod start latency, concurrency, teardown and memory, ours vs containerd. Figures only; no pass/fail.
// Usage: NodeAgent.PodBench [SEQUENTIAL_PODS] [CONCURRENT_PODS]   (bounded: at most 100 and 40)
var sequential = args.Length > 0 && int.TryParse(args[0], out var s) ? Math.Clamp(s, 1, 100) : 50;
var concurrent = args.Length > 1 && int.TryParse(args[1], out var c) ? Math.Clamp(c, 1, 40) : 20;
using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(15));
await PodBenchmark.RunAsync(new PodBenchOptions(sequential, concurrent), Console.Out, cts.Token);
