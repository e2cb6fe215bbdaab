using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Storage;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Etcd;

namespace NodeAgent.StorageBench;

/// <summary>
/// Measures one backend at a time on a fresh store: sequential and concurrent creates, updates, gets,
/// full and paged lists of the created objects, and how long a watcher takes to receive them all.
/// Values are ~1 KiB of JSON, about a small pod.
/// </summary>
internal static class StorageBenchmark
{
    private const int ConcurrentWriters = 8;

    public static async Task RunAsync(string backend, int objects, TextWriter output, CancellationToken ct)
    {
        output.WriteLine($"storage bench: {objects} objects of {Value(0).Length} bytes, {Environment.ProcessorCount} cores");
        if (backend is "sqlite" or "both")
        {
            using var dir = new TempDirectory(TestIds.NewPrefix() + "-bench");
            await using var store = await StorageFactory.OpenAsync(StorageFactory.SqliteEndpoint, dir.Path, NullLoggerFactory.Instance, ct);
            await MeasureAsync("sqlite", store, objects, output, ct);
        }

        if (backend is "etcd" or "both")
        {
            await using var etcd = await EtcdFixture.StartNewAsync(EtcdOptions.Default, ct);
            await using var store = await StorageFactory.OpenAsync(etcd.Endpoint, "", NullLoggerFactory.Instance, ct);
            await MeasureAsync($"etcd {EtcdVersion()}", store, objects, output, ct);
        }
    }

    private static async Task MeasureAsync(string name, IRevisionedStore store, int objects, TextWriter output, CancellationToken ct)
    {
        output.WriteLine($"== {name}");
        var sequential = objects / 2;
        var concurrent = objects - sequential;
        var from = await store.CurrentRevisionAsync(ct);

        var watcher = Task.Run(() => WatchAllAsync(store, from, objects, ct), ct);

        var createLatencies = new List<double>(objects);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < sequential; i++)
        {
            createLatencies.Add(await TimeAsync(() => store.CreateAsync(Key(i), Value(i), ct)));
        }

        Report(output, "create, 1 writer", sequential, clock.Elapsed, createLatencies);

        var concurrentLatencies = new List<double>(concurrent);
        clock.Restart();
        await Task.WhenAll(Enumerable.Range(0, ConcurrentWriters).Select(w => Task.Run(async () =>
        {
            var mine = new List<double>();
            for (var i = sequential + w; i < objects; i += ConcurrentWriters)
            {
                var index = i;
                mine.Add(await TimeAsync(() => store.CreateAsync(Key(index), Value(index), ct)));
            }

            lock (concurrentLatencies)
            {
                concurrentLatencies.AddRange(mine);
            }
        }, ct)));
        Report(output, $"create, {ConcurrentWriters} writers", concurrent, clock.Elapsed, concurrentLatencies);

        var writesDone = Stopwatch.GetTimestamp();
        var watchDone = await watcher;
        var lag = Math.Max(0, Stopwatch.GetElapsedTime(writesDone, watchDone).TotalMilliseconds);
        output.WriteLine($"  watch: last of {objects} events received {lag:0.0} ms after the last write returned");

        var updates = Math.Min(objects, 1000);
        var updateLatencies = new List<double>(updates);
        clock.Restart();
        for (var i = 0; i < updates; i++)
        {
            var current = (await store.GetAsync(Key(i), ct))!;
            updateLatencies.Add(await TimeAsync(() => store.UpdateAsync(current.Key, Value(i + 1), current.ModRevision, ct)));
        }

        Report(output, "update (CAS), 1 writer", updates, clock.Elapsed, updateLatencies);

        var getLatencies = new List<double>();
        clock.Restart();
        for (var i = 0; i < 2000; i++)
        {
            var index = i * 7919 % objects;
            getLatencies.Add(await TimeAsync(() => store.GetAsync(Key(index), ct)));
        }

        Report(output, "get", getLatencies.Count, clock.Elapsed, getLatencies);

        var listLatencies = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            listLatencies.Add(await TimeAsync(async () =>
            {
                var all = await store.ListAsync("/registry/pods/", 0, null, 0, ct);
                if (all.Items.Count != objects)
                {
                    throw new InvalidOperationException($"listed {all.Items.Count} of {objects}");
                }
            }));
        }

        Report(output, $"list all {objects}", listLatencies.Count, TimeSpan.FromMilliseconds(listLatencies.Sum()), listLatencies);

        var pageLatencies = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            pageLatencies.Add(await TimeAsync(async () =>
            {
                var page = await store.ListAsync("/registry/pods/", 0, null, 500, ct);
                while (page.ContinueKey is not null)
                {
                    page = await store.ListAsync("/registry/pods/", page.Revision, page.ContinueKey, 500, ct);
                }
            }));
        }

        Report(output, $"list all {objects} in pages of 500", pageLatencies.Count, TimeSpan.FromMilliseconds(pageLatencies.Sum()), pageLatencies);
    }

    /// <summary>Returns the timestamp at which the watcher had received an event for every object.</summary>
    private static async Task<long> WatchAllAsync(IRevisionedStore store, long from, int objects, CancellationToken ct)
    {
        var seen = 0;
        await foreach (var batch in store.WatchAsync("/registry/pods/", from, ct))
        {
            seen += batch.Events.Count;
            if (seen >= objects)
            {
                break;
            }
        }

        return Stopwatch.GetTimestamp();
    }

    private static async Task<double> TimeAsync(Func<Task> operation)
    {
        var start = Stopwatch.GetTimestamp();
        await operation();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static void Report(TextWriter output, string what, int count, TimeSpan elapsed, List<double> latencies)
    {
        latencies.Sort();
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  {what,-34} {count / elapsed.TotalSeconds,9:0}/s   p50 {Percentile(latencies, 0.50),7:0.00} ms   p99 {Percentile(latencies, 0.99),7:0.00} ms"));
    }

    private static double Percentile(List<double> sorted, double p)
        => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static string Key(int i) => $"/registry/pods/ns-{i % 10}/pod-{i:D6}";

    private static byte[] Value(int i)
    {
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"{{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{{\"name\":\"pod-{i:D6}\",\"labels\":{{\"app\":\"bench\"}}}},\"spec\":{{\"containers\":[{{\"name\":\"c\",\"image\":\"busybox\",\"args\":[\"");
        builder.Append('x', 850);
        builder.Append("\"]}]}}");
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private static string EtcdVersion()
    {
        using var process = Process.Start(new ProcessStartInfo("/usr/bin/etcd", "--version") { RedirectStandardOutput = true });
        var first = process!.StandardOutput.ReadLine() ?? "";
        process.WaitForExit();
        return first.Replace("etcd Version: ", "", StringComparison.Ordinal);
    }
}
