using System.Net.Http.Headers;
using NodeAgent.Testing.Images;

namespace NodeAgent.Testing.Registry;

/// <summary>A manifest as the registry served it.</summary>
public sealed record RegistryManifest(string MediaType, string? Digest, ReadOnlyMemory<byte> Content)
{
    public T Parse<T>() => OciJson.Deserialize<T>(Content.Span);
}

/// <summary>
/// Reads from a registry over the distribution API (<c>/v2/…</c>), for tests that check what
/// was pushed. Sends basic auth when credentials are given.
/// </summary>
public sealed class RegistryHttpClient : IDisposable
{
    private static readonly string[] ManifestTypes =
    [
        OciMediaTypes.ImageIndex,
        OciMediaTypes.ImageManifest,
        OciMediaTypes.DockerManifestList,
        OciMediaTypes.DockerManifest,
    ];

    private readonly HttpClient _http;

    public RegistryHttpClient(Uri baseAddress, RegistryCredentials? credentials)
    {
        _http = new HttpClient { BaseAddress = baseAddress };
        if (credentials is not null)
        {
            _http.DefaultRequestHeaders.Authorization = credentials.ToBasicAuthHeader();
        }
    }

    /// <summary>A raw GET of a path like <c>v2/</c>; the caller checks the status.</summary>
    public Task<HttpResponseMessage> GetAsync(string path, CancellationToken cancellationToken)
        => _http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);

    /// <summary>GET /v2/REPO/manifests/REF accepting OCI and Docker manifests and indexes.</summary>
    public async Task<RegistryManifest> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"v2/{repository}/manifests/{reference}", UriKind.Relative));
        foreach (var type in ManifestTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        var content = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var digest = response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;
        return new RegistryManifest(response.Content.Headers.ContentType?.MediaType ?? string.Empty, digest, content);
    }

    /// <summary>GET /v2/REPO/blobs/DIGEST (unverified bytes: tests check the digest themselves).</summary>
    public async Task<byte[]> GetBlobAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        using var response = await GetAsync($"v2/{repository}/blobs/{digest}", cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _http.Dispose();

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new HttpRequestException(
                $"GET {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {body}", null, response.StatusCode);
        }
    }
}
