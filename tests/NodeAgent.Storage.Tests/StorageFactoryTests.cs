using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Testing.Common;

namespace NodeAgent.Storage.Tests;

public sealed class StorageFactoryTests
{
    [Theory]
    [InlineData("")]
    [InlineData("mysql://root@tcp(127.0.0.1:3306)/kine")]
    [InlineData("127.0.0.1:2379")]
    [InlineData("http://127.0.0.1")]
    [InlineData("http://127.0.0.1:2379/prefix")]
    [InlineData("https://127.0.0.1:2379")]
    [InlineData("etcd")]
    public async Task OpenAsync_RefusesAnUnknownEndpoint_Naming_TheAcceptedForms(string endpoint)
    {
        using var deadline = TestDeadline.Seconds(10);
        var e = await Assert.ThrowsAsync<ArgumentException>(
            () => StorageFactory.OpenAsync(endpoint, "/nonexistent", NullLoggerFactory.Instance, deadline.Token));
        Assert.Contains($"'{endpoint}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'sqlite' or 'http://HOST:PORT'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("SQLite")]
    public async Task OpenAsync_Sqlite_CreatesStateDbInTheDataDir(string endpoint)
    {
        using var deadline = TestDeadline.Seconds(30);
        using var dir = new TempDirectory(TestIds.NewPrefix() + "-factory");
        var dataDir = dir.Combine("data");
        await using (var store = await TestStores.OpenAsync(endpoint, dataDir, deadline.Token))
        {
            await store.CreateAsync("/registry/x", "{}"u8.ToArray(), deadline.Token);
        }

        Assert.True(File.Exists(Path.Combine(dataDir, "state.db")));
    }

    [Fact]
    public async Task OpenAsync_Etcd_WithNobodyListening_FailsUnavailable_WithinTheConnectTimeout()
    {
        using var deadline = TestDeadline.Seconds(30);
        var endpoint = $"http://127.0.0.1:{FreePort.Next()}";
        var options = TestStores.Options with { ConnectTimeout = TimeSpan.FromSeconds(2) };

        var e = await Assert.ThrowsAsync<StorageException>(() => TestStores.OpenAsync(endpoint, "", deadline.Token, options));
        Assert.Equal(StorageErrorKind.Unavailable, e.Kind);
        Assert.Contains(endpoint, e.Message, StringComparison.Ordinal);
    }
}
