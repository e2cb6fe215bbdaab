using NodeAgent.Bench;

// bench: image pull, ours vs containerd, and layer unpack vs tar -x. Figures only; no pass/fail.
// Usage: NodeAgent.Bench [MEGABYTES=100] [ROUNDS=3]; BENCH_AGENT_ENV="K=V;K=V" passes environment to the agent (to compare knobs).
using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(20));
var megabytes = args.Length > 0 && int.TryParse(args[0], out var mb) ? mb : 100;
var rounds = args.Length > 1 && int.TryParse(args[1], out var r) ? r : 3;
var environment = (Environment.GetEnvironmentVariable("BENCH_AGENT_ENV") ?? string.Empty)
    .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
    .Select(pair => pair.Split('=', 2))
    .ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : string.Empty, StringComparer.Ordinal);
await PullBenchmark.RunAsync(megabytes, rounds, environment, Console.Out, cts.Token);
