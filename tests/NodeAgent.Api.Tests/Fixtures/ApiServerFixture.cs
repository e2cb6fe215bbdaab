using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Api.Hosting;
using NodeAgent.Storage;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Kubectl;

namespace NodeAgent.Api.Tests.Fixtures;

/// <summary>
/// An in-process API server on 127.0.0.1 (random port, self-signed certificate, one static token,
/// allow-all authorization) over a SQLite store in its own temp dir, plus a kubeconfig, a kubectl
/// runner and an authenticated HttpClient. One per test class; tests use their own namespaces.
/// </summary>
public sealed class ApiServerFixture : IAsyncLifetime
{
    private readonly TempDirectory _temp = new(TestIds.NewPrefix() + "-api");
    private IRevisionedStore? _store;
    private ApiServer? _server;
    private HttpClient? _http;
    private KubectlRunner? _kubectl;

    public string Token { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public ApiServer Server => _server ?? throw new InvalidOperationException("not started");

    public IRevisionedStore Store => _store ?? throw new InvalidOperationException("not started");

    public HttpClient Http => _http ?? throw new InvalidOperationException("not started");

    public KubectlRunner Kubectl => _kubectl ?? throw new InvalidOperationException("not started");

    public Uri BaseAddress => new($"https://127.0.0.1:{Server.Port}/");

    public string KubeconfigPath => _temp.Combine("kubeconfig");

    public string TempPath => _temp.Path;

    public Task InitializeAsync() => StartAsync(
        (dataDir, ct) => StorageFactory.OpenAsync("sqlite", dataDir, NullLoggerFactory.Instance, ct));

    /// <summary>Starts the server over the store <paramref name="openStore"/> opens (given a data dir), e.g. etcd.</summary>
    public async Task StartAsync(Func<string, CancellationToken, Task<IRevisionedStore>> openStore)
    {
        ArgumentNullException.ThrowIfNull(openStore);
        using var cts = TestDeadline.Seconds(30);
        _store = await openStore(_temp.Combine("data"), cts.Token);
        var options = new ApiServerOptions
        {
            Address = IPAddress.Loopback,
            Port = 0,
            ServiceCidr = IPNetwork.Parse("10.43.0.0/16"),
            ServingCertificate = TestCertificates.SelfSigned(),
            Authenticators = [new StaticTokenAuthenticator(Token)],
            Authorizer = new AllowAllAuthorizer(),
            MaxRequestBodyBytes = 1024 * 1024,
        };
        _server = await ApiServer.StartAsync(options, _store, NullLoggerFactory.Instance, cts.Token);

#pragma warning disable CA2000 // The client owns the handler and is disposed with the fixture.
        var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
#pragma warning restore CA2000
        _http = new HttpClient(handler) { BaseAddress = BaseAddress };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        KubeconfigFile.Write(KubeconfigPath, BaseAddress, Token, insecureSkipTlsVerify: true);
        _kubectl = new KubectlRunner(KubeconfigPath);
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        _kubectl?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _temp.Dispose();
    }

    /// <summary>Creates a namespace for one test (names are unique per call).</summary>
    public async Task<string> NewNamespaceAsync(CancellationToken ct)
    {
        var name = TestIds.NewPrefix();
        using var response = await SendAsync(HttpMethod.Post, "api/v1/namespaces", $$$"""{"metadata":{"name":"{{{name}}}"}}""", ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return name;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body, CancellationToken ct, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return await Http.SendAsync(request, ct);
    }

    /// <summary>Sends and parses the JSON answer, asserting the status code.</summary>
    public async Task<JsonObject> SendJsonAsync(HttpMethod method, string path, string? body, HttpStatusCode expected, CancellationToken ct, string contentType = "application/json")
    {
        using var response = await SendAsync(method, path, body, ct, contentType);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
