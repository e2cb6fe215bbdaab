using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Storage;

namespace NodeAgent.Storage.Tests;

/// <summary>Opens stores the way the server does, with test-sized intervals.</summary>
internal static class TestStores
{
    /// <summary>Short progress interval so idle-watch tests finish fast; a small cache so watches also read the log.</summary>
    public static StorageOptions Options { get; } = new()
    {
        WatchProgressInterval = TimeSpan.FromMilliseconds(500),
        PollInterval = TimeSpan.FromMilliseconds(200),
        WatchCacheCapacity = 256,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    };

    public static Task<IRevisionedStore> OpenAsync(string endpoint, string dataDirectory, CancellationToken ct, StorageOptions? options = null)
        => StorageFactory.OpenAsync(endpoint, dataDirectory, options ?? Options, NullLoggerFactory.Instance, ct);
}
