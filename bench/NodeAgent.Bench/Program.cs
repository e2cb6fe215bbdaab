using NodeAgent.Bench;

// bench: image pull, ours vs containerd, and layer unpack vs tar -x. Figures only; no pass/fail.
using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
var megabytes = args.Length > 0 && int.TryParse(args[0], out var mb) ? mb : 100;
await PullBenchmark.RunAsync(megabytes, Console.Out, cts.Token);
