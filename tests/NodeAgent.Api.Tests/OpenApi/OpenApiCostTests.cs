using System.Diagnostics;
using NodeAgent.Api.OpenApi;
using Xunit.Abstractions;

namespace NodeAgent.Api.Tests.OpenApi;

/// <summary>Building the documents is lazy and what stays in memory is small (figures in docs/openapi.md).</summary>
/// <remarks>
/// Alone in a collection that runs after all others: the GC's totals are the whole process's, so a test allocating
/// beside it (another class's static caches) would count as retained here.
/// </remarks>
[Collection(MeasuresProcessMemory.Name)]
public sealed class OpenApiCostTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_document_builds_quickly_and_only_compressed_bytes_are_retained()
    {
        var documents = new OpenApiDocuments(OpenApiTestServer.Resources);
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var workingSetBefore = Environment.WorkingSet;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();

        var index = documents.V3Index();
        var v3Time = clock.Elapsed;
        var v2 = documents.V2;
        var v2Protobuf = documents.V2Protobuf;
        var total = clock.Elapsed;

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var retained = GC.GetTotalMemory(forceFullCollection: true) - before;
        var workingSetGrowth = Environment.WorkingSet - workingSetBefore;
        string[] groupVersions = ["api/v1", "apis/apps/v1", "apis/batch/v1", "apis/coordination.k8s.io/v1", "apis/discovery.k8s.io/v1", "apis/events.k8s.io/v1"];
        var v3 = groupVersions.Select(gv => documents.V3(gv)!).ToList();
        output.WriteLine($"v3 (index + {v3.Count} group-versions): {v3Time.TotalMilliseconds:F0} ms; all documents: {total.TotalMilliseconds:F0} ms");
        output.WriteLine($"allocated while building: {allocated / 1024 / 1024.0:F1} MiB; retained after GC: {retained / 1024.0:F0} KiB; working set grew {workingSetGrowth / 1024 / 1024.0:F1} MiB");
        output.WriteLine($"v2 JSON {v2.Length / 1024} KiB → gzip {v2.Gzip.Length / 1024} KiB; v2 protobuf {v2Protobuf.Length / 1024} KiB → gzip {v2Protobuf.Gzip.Length / 1024} KiB");
        output.WriteLine($"v3 JSON {v3.Sum(d => d.Length) / 1024} KiB → gzip {v3.Sum(d => d.Gzip.Length) / 1024} KiB; index {index.Length} B");

        Assert.True(retained < 2 * 1024 * 1024, $"retained {retained} bytes");
        Assert.True(v2.Gzip.Length * 5 < v2.Length, "gzip should shrink the JSON at least 5×");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuresProcessMemory
{
    public const string Name = "measures process memory";
}
