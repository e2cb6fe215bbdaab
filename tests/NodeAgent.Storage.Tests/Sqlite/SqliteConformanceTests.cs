using NodeAgent.Storage.Tests.Conformance;
using NodeAgent.Testing.Common;

namespace NodeAgent.Storage.Tests.Sqlite;

/// <summary>The conformance suite against a fresh SQLite file per test.</summary>
public sealed class SqliteConformanceTests : RevisionedStoreConformance, IDisposable
{
    private readonly TempDirectory _dataDir = new(TestIds.NewPrefix() + "-sqlite");

    protected override Task<IRevisionedStore> OpenStoreAsync(CancellationToken ct)
        => TestStores.OpenAsync(StorageFactory.SqliteEndpoint, _dataDir.Path, ct);

    public void Dispose() => _dataDir.Dispose();
}
