using System.Globalization;

namespace NodeAgent.ApiBench;

/// <summary>
/// etcd's own request and fsync counters from its <c>/metrics</c> (served on the client port), so the apply row can say
/// how many storage round trips and WAL fsyncs it cost: steadier than wall time on a shared machine.
/// </summary>
internal sealed record EtcdCounters(double Range, double Txn, double Other, double WalFsyncs)
{
    public static async Task<EtcdCounters> ReadAsync(string endpoint, CancellationToken ct)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(new Uri(endpoint), "/metrics"), ct);
        double range = 0, txn = 0, other = 0, fsyncs = 0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("etcd_disk_wal_fsync_duration_seconds_count ", StringComparison.Ordinal))
            {
                fsyncs = Value(line);
            }
            else if (line.StartsWith("grpc_server_handled_total{", StringComparison.Ordinal) && line.Contains("grpc_service=\"etcdserverpb.KV\"", StringComparison.Ordinal))
            {
                if (line.Contains("grpc_method=\"Range\"", StringComparison.Ordinal))
                {
                    range += Value(line);
                }
                else if (line.Contains("grpc_method=\"Txn\"", StringComparison.Ordinal))
                {
                    txn += Value(line);
                }
                else
                {
                    other += Value(line);
                }
            }
        }

        return new EtcdCounters(range, txn, other, fsyncs);
    }

    public static EtcdCounters operator -(EtcdCounters a, EtcdCounters b) =>
        new(a.Range - b.Range, a.Txn - b.Txn, a.Other - b.Other, a.WalFsyncs - b.WalFsyncs);

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"etcd Range {Range:0}, Txn {Txn:0}, other KV {Other:0}, WAL fsyncs {WalFsyncs:0}");

    private static double Value(string line) => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
}
