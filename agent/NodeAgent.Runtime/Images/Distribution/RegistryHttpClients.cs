using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace NodeAgent.Runtime.Images.Distribution;

/// <summary>
/// One pooled HttpClient per distinct TLS setting (system CAs by default, plus ca_file, client
/// certificate or insecure_skip_verify from registries.yaml). An injected handler replaces them all.
/// </summary>
internal sealed class RegistryHttpClients : IDisposable
{
    private readonly RegistryClientOptions _options;
    private readonly HttpClient? _injected;
    private readonly ConcurrentDictionary<RegistryTlsSettings, Lazy<HttpClient>> _byTls = new();
    private readonly Lazy<HttpClient> _default;

    public RegistryHttpClients(RegistryClientOptions options, HttpMessageHandler? handler)
    {
        _options = options;
        _injected = handler is null ? null : Configure(new HttpClient(handler, disposeHandler: false));
        _default = new Lazy<HttpClient>(() => Create(null));
    }

    public HttpClient For(RegistryEndpoint endpoint)
        => _injected
            ?? (endpoint.Settings?.Tls is { } tls ? _byTls.GetOrAdd(tls, t => new Lazy<HttpClient>(() => Create(t))).Value : _default.Value);

    public void Dispose()
    {
        _injected?.Dispose();
        if (_default.IsValueCreated)
        {
            _default.Value.Dispose();
        }

        foreach (var client in _byTls.Values.Where(c => c.IsValueCreated))
        {
            client.Value.Dispose();
        }
    }

    private HttpClient Create(RegistryTlsSettings? tls)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = _options.ConnectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            // Layers are already compressed and their digests cover the bytes as sent.
            AutomaticDecompression = DecompressionMethods.None,
            // Blobs are often redirected to storage; .NET drops the Authorization header on redirect.
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 5,
        };
        if (tls is not null)
        {
            handler.SslOptions = SslOptions(tls);
        }

        return Configure(new HttpClient(handler, disposeHandler: true));
    }

    private HttpClient Configure(HttpClient client)
    {
        // Deadlines are per try (RegistryClientOptions.RequestTimeout), and blob bodies may take long.
        client.Timeout = Timeout.InfiniteTimeSpan;
        client.DefaultRequestHeaders.UserAgent.ParseAdd(_options.UserAgent);
        return client;
    }

    private static SslClientAuthenticationOptions SslOptions(RegistryTlsSettings tls)
    {
        var ssl = new SslClientAuthenticationOptions();
        if (tls.CertFile is not null && tls.KeyFile is not null)
        {
            ssl.ClientCertificates = [X509Certificate2.CreateFromPemFile(tls.CertFile, tls.KeyFile)];
        }

        if (tls.InsecureSkipVerify)
        {
            // Explicitly requested per host in registries.yaml (insecure_skip_verify: true).
#pragma warning disable CA5359
            ssl.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (tls.CaFile is not null)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(tls.CaFile);
            ssl.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => TrustedBy(roots, certificate, chain, errors);
        }

        return ssl;
    }

    /// <summary>Accepts what the system trusts, or a chain ending at one of the ca_file roots (host name still checked).</summary>
    private static bool TrustedBy(X509Certificate2Collection roots, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is not X509Certificate2 leaf)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return custom.Build(leaf);
    }
}
