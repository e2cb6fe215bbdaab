using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace NodeAgent.PodBench;

/// <summary>
/// Where our time goes: the runtime's Debug lines <c>OPERATION ID steps (ms): a=1.0 b=2.0 total=3.0</c>
/// and the CRI interceptor's per-RPC times, reduced to the median per step over the sequential pods.
/// </summary>
internal static partial class StepReport
{
    public static string From(string log, int skip, int take)
    {
        var text = new StringBuilder();
        var operations = StepLine().Matches(log)
            .GroupBy(m => m.Groups["op"].Value)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var operation in operations)
        {
            var runs = operation.Skip(skip).Take(take)
                .Select(m => m.Groups["steps"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Select(pair => pair.Split('='))
                    .ToDictionary(kv => kv[0], kv => double.Parse(kv[1], CultureInfo.InvariantCulture)))
                .ToList();
            if (runs.Count == 0)
            {
                continue;
            }

            var steps = runs[0].Keys.Select(step => $"{step} {Median(runs.Select(r => r.GetValueOrDefault(step))):F1}");
            text.Append(CultureInfo.InvariantCulture, $"  {operation.Key,-17} median ms over {runs.Count}: ").AppendJoin(", ", steps).Append('\n');
        }

        var rpcs = RpcLine().Matches(log).GroupBy(m => m.Groups["method"].Value)
            .Where(g => g.Key is "RunPodSandbox" or "CreateContainer" or "StartContainer" or "StopPodSandbox" or "RemovePodSandbox");
        foreach (var rpc in rpcs)
        {
            var times = rpc.Skip(skip).Take(take)
                .Select(m => TimeSpan.Parse(m.Groups["elapsed"].Value, CultureInfo.InvariantCulture).TotalMilliseconds);
            text.Append(CultureInfo.InvariantCulture, $"  rpc {rpc.Key,-17} median ms: {Median(times):F1}\n");
        }

        return text.ToString();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2];
    }

    [GeneratedRegex(@"(?<op>[a-z-]+) [0-9a-f]{64} steps \(ms\): (?<steps>.*)$", RegexOptions.Multiline)]
    private static partial Regex StepLine();

    [GeneratedRegex(@"CRI (?:/runtime\.v1\.RuntimeService/)?(?<method>\w+) ok in (?<elapsed>[0-9:.]+)", RegexOptions.Multiline)]
    private static partial Regex RpcLine();
}
