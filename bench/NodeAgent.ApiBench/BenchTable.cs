using System.Globalization;

namespace NodeAgent.ApiBench;

/// <summary>The side-by-side table: one column per backend, the target last.</summary>
internal static class BenchTable
{
    public static void Print(IReadOnlyList<BackendResult> results, BenchSettings settings, TextWriter output)
    {
        var rows = new List<(string Metric, Func<BackendResult, string> Value, string Target)>
        {
            ("idle RSS (MB)", r => Number(r.IdleRssMb), "<= 80"),
            ($"kubectl apply {settings.ApplyObjects} objects (s)", r => Number(r.ApplySeconds, "0.00"), "<= 3"),
            ("… CPU during it: kubectl / server (s)", r => Number(r.ApplyKubectlCpuSeconds, "0.00") + " / " + Number(r.ApplyServerCpuSeconds, "0.00"), ""),
            ($"second apply of {settings.ApplyObjects}, another namespace (s)", r => Number(r.WarmApplySeconds, "0.00"), "<= 3"),
            ("… CPU during it: kubectl / server (s)", r => Number(r.WarmApplyKubectlCpuSeconds, "0.00") + " / " + Number(r.WarmApplyServerCpuSeconds, "0.00"), ""),
            ($"create pod p50 / p99 (ms, n={settings.Pods})", r => Pair(r.Create), "p99 <= 20"),
            ($"get pod p50 / p99 (ms, n={settings.Gets})", r => Pair(r.Get), ""),
            ($"list {settings.Pods} pods p50 / p99 (ms, n={settings.Lists})", r => Pair(r.List), ""),
            ($"watchers with all {settings.WatchEvents} events", r => r.WatchersComplete is null ? "-" : $"{r.WatchersComplete}/{settings.Watchers}", "all"),
            ("watch: last event after last create (ms)", r => Number(r.WatchTimeToLastMs), ""),
            ($"RSS with {settings.Pods} pods (MB)", r => Number(r.LoadedRssMb), ""),
            ("peak RSS, VmHWM (MB)", r => Number(r.PeakRssMb), ""),
        };

        var header = results.Select(r => r.Backend).Prepend("metric").Append("target").ToArray();
        output.WriteLine();
        output.WriteLine("| " + string.Join(" | ", header) + " |");
        output.WriteLine("|" + string.Concat(header.Select(_ => "---|")));
        foreach (var (metric, value, target) in rows)
        {
            output.WriteLine("| " + string.Join(" | ", results.Select(value).Prepend(metric).Append(target)) + " |");
        }

        foreach (var failed in results.Where(r => r.Error is not null))
        {
            output.WriteLine($"{failed.Backend}: stopped early: {failed.Error}");
        }
    }

    private static string Number(double? value, string format = "0.0")
        => value is null ? "-" : value.Value.ToString(format, CultureInfo.InvariantCulture);

    private static string Pair(Percentiles? p)
        => p is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{p.P50:0.0} / {p.P99:0.0}");
}
