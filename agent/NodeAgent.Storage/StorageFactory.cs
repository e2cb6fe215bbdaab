using Microsoft.Extensions.Logging;
using NodeAgent.Storage.Etcd;
using NodeAgent.Storage.Sqlite;

namespace NodeAgent.Storage;

/// <summary>Opens the store named by <c>--datastore-endpoint</c>.</summary>
public static class StorageFactory
{
    /// <summary>The embedded default.</summary>
    public const string SqliteEndpoint = "sqlite";

    /// <summary>
    /// Opens <c>sqlite</c> (the file <c>state.db</c> in <paramref name="dataDirectory"/>) or etcd v3 at
    /// <c>http://HOST:PORT</c>. Throws <see cref="ArgumentException"/> for any other endpoint and
    /// <see cref="StorageException"/> (<see cref="StorageErrorKind.Unavailable"/>) when etcd does not answer.
    /// </summary>
    public static Task<IRevisionedStore> OpenAsync(string endpoint, string dataDirectory, ILoggerFactory loggerFactory, CancellationToken ct)
        => OpenAsync(endpoint, dataDirectory, StorageOptions.Default, loggerFactory, ct);

    public static async Task<IRevisionedStore> OpenAsync(
        string endpoint, string dataDirectory, StorageOptions options, ILoggerFactory loggerFactory, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        if (string.Equals(endpoint, SqliteEndpoint, StringComparison.OrdinalIgnoreCase))
        {
            ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
            return await SqliteStore.OpenAsync(dataDirectory, options, loggerFactory, ct).ConfigureAwait(false);
        }

        return await EtcdStore.OpenAsync(ParseEtcdEndpoint(endpoint), options, loggerFactory, ct).ConfigureAwait(false);
    }

    /// <summary>Accepts <c>http://HOST:PORT</c> with nothing after the port.</summary>
    internal static Uri ParseEtcdEndpoint(string endpoint)
    {
        if (Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)
            && uri.Scheme == Uri.UriSchemeHttp
            && !uri.IsDefaultPort
            && uri.AbsolutePath == "/"
            && string.IsNullOrEmpty(uri.Query)
            && string.IsNullOrEmpty(uri.UserInfo))
        {
            return uri;
        }

        var hint = endpoint.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            ? " (TLS to etcd is not supported yet)"
            : "";
        throw new ArgumentException(
            $"datastore endpoint '{endpoint}' is not supported{hint}: use '{SqliteEndpoint}' or 'http://HOST:PORT' for etcd v3, e.g. http://127.0.0.1:2379",
            nameof(endpoint));
    }
}
