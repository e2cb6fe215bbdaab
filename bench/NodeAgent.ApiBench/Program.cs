using NodeAgent.ApiBench;

// API server bench: kubectl apply, create/get/list latency, concurrent watchers and RSS of a real
// `nodeagent server`, with SQLite and with etcd. Figures only; no pass/fail.
// Usage: dotnet NodeAgent.ApiBench.dll [sqlite|etcd|both] [PODS=5000] [APPLY=500] [WATCHERS=20]
var backends = args.Length > 0 ? args[0] : "both";
var settings = new BenchSettings
{
    Pods = args.Length > 1 && int.TryParse(args[1], out var pods) ? pods : 5000,
    ApplyObjects = args.Length > 2 && int.TryParse(args[2], out var apply) ? apply : 500,
    Watchers = args.Length > 3 && int.TryParse(args[3], out var watchers) ? watchers : 20,
};
var results = new List<BackendResult>();
foreach (var backend in backends == "both" ? new[] { "sqlite", "etcd" } : [backends])
{
    // Each backend gets a bounded run; a hang ends as a failed column, not a stuck bench.
    using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(15));
    results.Add(await ApiBenchmark.RunAsync(backend, settings, Console.Out, cts.Token));
}

BenchTable.Print(results, settings, Console.Out);
return results.All(r => r.Error is null) ? 0 : 1;
