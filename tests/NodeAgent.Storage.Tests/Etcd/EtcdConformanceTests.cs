using NodeAgent.Storage.Tests.Conformance;
using NodeAgent.Testing.Etcd;

namespace NodeAgent.Storage.Tests.Etcd;

/// <summary>The conformance suite against a real etcd started for this class (each test has its own key prefix).</summary>
public sealed class EtcdConformanceTests(EtcdFixture etcd) : RevisionedStoreConformance, IClassFixture<EtcdFixture>
{
    protected override Task<IRevisionedStore> OpenStoreAsync(CancellationToken ct)
        => TestStores.OpenAsync(etcd.Endpoint, dataDirectory: "", ct);
}
