using System.Text;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Etcd;

namespace NodeAgent.Storage.Tests.Etcd;

/// <summary>What only the etcd backend must survive: a restart of the etcd server itself.</summary>
public sealed class EtcdStoreTests
{
    [Fact]
    public async Task EtcdRestart_KeepsData_WatchesEndUnavailable_AndResumeFromTheLastRevision()
    {
        using var deadline = TestDeadline.Seconds(90);
        var ct = deadline.Token;
        await using var etcd = await EtcdFixture.StartNewAsync(EtcdOptions.Default, ct);
        await using var store = await TestStores.OpenAsync(etcd.Endpoint, "", ct);
        var a = await store.CreateAsync("/registry/a", Encoding.UTF8.GetBytes("1"), ct);

        await using var watch = store.WatchAsync("/registry/", a.ModRevision, ct).GetAsyncEnumerator(ct);
        Assert.True(await watch.MoveNextAsync());
        var interrupted = DrainProgressNotificationsAsync(watch);

        await etcd.RestartAsync(ct);

        var e = await Assert.ThrowsAsync<StorageException>(() => interrupted);
        Assert.Equal(StorageErrorKind.Unavailable, e.Kind);

        // The same client reconnects; the API server re-watches from the last revision it delivered.
        await Eventually.UntilAsync(
            async probe =>
            {
                await store.CurrentRevisionAsync(probe);
                return true;
            },
            "etcd to answer after its restart",
            ct);
        var b = await store.CreateAsync("/registry/b", Encoding.UTF8.GetBytes("2"), ct);
        Assert.True(b.ModRevision > a.ModRevision);
        Assert.Equal("1", Encoding.UTF8.GetString((await store.GetAsync("/registry/a", ct))!.Value.Span));
        await foreach (var batch in store.WatchAsync("/registry/", a.ModRevision, ct))
        {
            if (batch.Events.Count > 0)
            {
                Assert.Equal(b.ModRevision, Assert.Single(batch.Events).Revision);
                break;
            }
        }
    }

    /// <summary>
    /// The fixture's etcd sends a progress notification every 500 ms, so an idle watch yields empty batches;
    /// only an event or the end of the stream counts.
    /// </summary>
    private static async Task DrainProgressNotificationsAsync(IAsyncEnumerator<WatchBatch> watch)
    {
        while (await watch.MoveNextAsync())
        {
            Assert.Empty(watch.Current.Events);
        }

        Assert.Fail("the watch ended without an error");
    }
}
