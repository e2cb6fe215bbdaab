using NodeAgent.StorageBench;

// Storage bench: write throughput, read and list latency, watch delivery for SQLite and etcd.
// Usage: dotnet run -c Release --project bench/NodeAgent.StorageBench -- [sqlite|etcd|both] [objects]
// Figures only; no pass/fail.
using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(20));
var backend = args.Length > 0 ? args[0] : "both";
var objects = args.Length > 1 && int.TryParse(args[1], out var n) ? n : 5000;
await StorageBenchmark.RunAsync(backend, objects, Console.Out, cts.Token);
