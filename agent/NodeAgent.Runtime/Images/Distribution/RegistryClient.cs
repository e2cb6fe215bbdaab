using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Images.Distribution;

/// <summary>
/// The OCI distribution API client: asks each endpoint <see cref="RegistryHosts"/> lists in order
/// (moving on after 404 or an unavailable endpoint), answers auth challenges, retries transient
/// faults with bounded exponential backoff, and verifies manifests against their digests.
/// </summary>
public sealed class RegistryClient : IRegistryClient, IDisposable
{
    private const string DockerContentDigest = "Docker-Content-Digest";
    private const int ErrorBodyBytes = 4096;

    private readonly RegistryClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RegistryHttpClients _clients;
    private readonly RegistryAuthenticator _authenticator;

    /// <param name="handler">Replaces the built-in SocketsHttpHandlers (and their TLS settings) for every endpoint; not disposed here.</param>
    public RegistryClient(RegistryClientOptions options, RegistryHosts hosts, TimeProvider time, ILogger<RegistryClient> logger, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hosts);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1);
        _options = options;
        Hosts = hosts;
        _time = time;
        _logger = logger;
        _clients = new RegistryHttpClients(options, handler);
        _authenticator = new RegistryAuthenticator(time, logger);
    }

    public RegistryHosts Hosts { get; }

    public Task<FetchedManifest> GetManifestAsync(ImageReference reference, RegistryAuth? auth, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return OnEachEndpointAsync(
            reference,
            reference.ToString(),
            endpoint => SendAsync(
                endpoint,
                reference.ToString(),
                () => ManifestRequest(endpoint, reference),
                auth,
                (response, ct) => ReadManifestAsync(endpoint, reference, response, ct),
                cancellationToken),
            cancellationToken);
    }

    public Task<Stream> OpenBlobAsync(ImageReference reference, string digest, long offset, RegistryAuth? auth, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (ImageReference.ValidateDigest(digest) is { } error)
        {
            throw new RegistryException(RuntimeErrorKind.Invalid, reference.Registry, $"blob of {reference}: {error}");
        }

        var what = $"blob {digest} of {reference.Name}";
        return OnEachEndpointAsync(
            reference,
            what,
            endpoint => SendAsync(
                endpoint,
                what,
                () => BlobRequest(endpoint, digest, offset),
                auth,
                (response, ct) => Task.FromResult<Stream>(OpenBlob(endpoint, what, offset, response)),
                cancellationToken),
            cancellationToken);
    }

    public void Dispose() => _clients.Dispose();

    private static HttpRequestMessage ManifestRequest(RegistryEndpoint endpoint, ImageReference reference)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, endpoint.ManifestUri(reference.ManifestReference));
        foreach (var mediaType in OciMediaTypes.ManifestAccept)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
        }

        return request;
    }

    private static HttpRequestMessage BlobRequest(RegistryEndpoint endpoint, string digest, long offset)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, endpoint.BlobUri(digest));
        if (offset > 0)
        {
            request.Headers.Range = new RangeHeaderValue(offset, null);
        }

        return request;
    }

    /// <summary>
    /// Tries each endpoint in order. 404 and "unavailable" move on to the next (a mirror may lack an
    /// image); anything else — auth rejected, digest mismatch — is final.
    /// </summary>
    private async Task<T> OnEachEndpointAsync<T>(ImageReference reference, string what, Func<RegistryEndpoint, Task<T>> action, CancellationToken cancellationToken)
    {
        var endpoints = Hosts.Resolve(reference);
        var failures = new List<(RegistryEndpoint Endpoint, RegistryException Error)>();
        foreach (var endpoint in endpoints)
        {
            try
            {
                return await action(endpoint).ConfigureAwait(false);
            }
            catch (RegistryException e) when (e.Kind is RuntimeErrorKind.NotFound or RuntimeErrorKind.Unavailable)
            {
                failures.Add((endpoint, e));
                if (failures.Count < endpoints.Count)
                {
                    RegistryLog.NextEndpoint(_logger, endpoint.ToString(), what, e.Message);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
        }

        if (failures.Count == 1)
        {
            throw failures[0].Error;
        }

        var asked = string.Join(", ", failures.Select(f => f.Endpoint.ToString()));
        if (failures.All(f => f.Error.Kind == RuntimeErrorKind.NotFound))
        {
            throw new RegistryException(RuntimeErrorKind.NotFound, failures[^1].Endpoint.Host, $"not found: {what} (asked {asked})");
        }

        throw new RegistryException(
            RuntimeErrorKind.Unavailable,
            failures[^1].Endpoint.Host,
            $"no endpoint could serve {what}: {string.Join("; ", failures.Select(f => f.Error.Message))}",
            failures[^1].Error);
    }

    /// <summary>
    /// One request with auth and retries. Each try has its own deadline until
    /// <paramref name="onSuccess"/> returns; <paramref name="onSuccess"/> owns the response.
    /// </summary>
    private async Task<T> SendAsync<T>(
        RegistryEndpoint endpoint,
        string what,
        Func<HttpRequestMessage> createRequest,
        RegistryAuth? auth,
        Func<HttpResponseMessage, CancellationToken, Task<T>> onSuccess,
        CancellationToken cancellationToken)
    {
        var http = _clients.For(endpoint);
        // The pull's own credentials win; registries.yaml's apply to the host they are configured for.
        auth ??= endpoint.Settings?.Auth;
        for (var attempt = 1; ; attempt++)
        {
            Exception fault;
            TimeSpan? retryAfter = null;
            using (var deadline = new CancellationTokenSource(_options.RequestTimeout, _time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token))
            {
                HttpResponseMessage? response = null;
                try
                {
                    response = await SendAuthorizedAsync(http, endpoint, createRequest, auth, linked.Token).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        var handedOver = response;
                        response = null;
                        return await onSuccess(handedOver, linked.Token).ConfigureAwait(false);
                    }

                    throw await FailureAsync(endpoint, what, response, linked.Token).ConfigureAwait(false);
                }
                catch (TransientRegistryFault e)
                {
                    fault = e;
                    retryAfter = e.RetryAfter;
                }
                catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.NameResolutionError)
                {
                    throw new RegistryException(RuntimeErrorKind.Unavailable, endpoint.Host, $"registry {endpoint}: {what}: {Describe(e)}", e);
                }
                catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.SecureConnectionError)
                {
                    // Retrying cannot fix TLS; say which setting can.
                    throw new RegistryException(
                        RuntimeErrorKind.Unavailable,
                        endpoint.Host,
                        $"registry {endpoint}: {what}: {Describe(e)} (a registry serving plain HTTP needs --insecure-registry {endpoint.Host}; "
                        + $"a private CA needs configs.\"{endpoint.Host}\".tls.ca_file in registries.yaml)",
                        e);
                }
                catch (Exception e) when (e is HttpRequestException or IOException)
                {
                    fault = e;
                }
                catch (OperationCanceledException e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    fault = new TimeoutException($"no response within {_options.RequestTimeout.TotalSeconds:0.###} s", e);
                }
                finally
                {
                    response?.Dispose();
                }
            }

            if (attempt >= _options.MaxAttempts)
            {
                throw new RegistryException(
                    RuntimeErrorKind.Unavailable,
                    endpoint.Host,
                    $"registry {endpoint} unavailable: {what} failed {attempt} times, last: {Describe(fault)}",
                    fault);
            }

            var delay = Backoff(attempt, retryAfter);
            RegistryLog.Retrying(_logger, endpoint.Host, what, attempt, _options.MaxAttempts, Describe(fault), delay);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends with known credentials; on 401 answers the challenge once, and a second 401 means the credentials are wrong.</summary>
    private async Task<HttpResponseMessage> SendAuthorizedAsync(
        HttpClient http, RegistryEndpoint endpoint, Func<HttpRequestMessage> createRequest, RegistryAuth? auth, CancellationToken cancellationToken)
    {
        var authorization = await _authenticator.PrepareAsync(http, endpoint, auth, cancellationToken).ConfigureAwait(false);
        var response = await SendOnceAsync(http, endpoint, createRequest, authorization, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        using (response)
        {
            authorization = await _authenticator.RespondAsync(http, endpoint, response, auth, cancellationToken).ConfigureAwait(false);
        }

        response = await SendOnceAsync(http, endpoint, createRequest, authorization, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            response.Dispose();
            throw RegistryAuthenticator.Rejected(endpoint, auth);
        }

        return response;
    }

    private async Task<HttpResponseMessage> SendOnceAsync(
        HttpClient http, RegistryEndpoint endpoint, Func<HttpRequestMessage> createRequest, AuthenticationHeaderValue? authorization, CancellationToken cancellationToken)
    {
        using var request = createRequest();
        request.Headers.Authorization = authorization;
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        RegistryLog.Response(_logger, endpoint.Host, request.Method.Method, request.RequestUri!, (int)response.StatusCode);
        return response;
    }

    /// <summary>The exception for a non-success status: transient ones are retried, the rest are final.</summary>
    private async Task<Exception> FailureAsync(RegistryEndpoint endpoint, string what, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = response.StatusCode;
        var detail = await ErrorDetailAsync(response, cancellationToken).ConfigureAwait(false);
        var answered = $"{(int)status} {response.ReasonPhrase}" + (detail is null ? string.Empty : $": {detail}");
        return status switch
        {
            HttpStatusCode.NotFound => new RegistryException(
                RuntimeErrorKind.NotFound, endpoint.Host, $"not found: {what} (asked {endpoint}" + (detail is null ? ")" : $"; {detail})")),
            HttpStatusCode.Forbidden => new RegistryException(
                RuntimeErrorKind.Unauthenticated, endpoint.Host, $"registry {endpoint} denied access to {what}: {answered}"),
            _ when RegistryStatus.IsTransient(status) => new TransientRegistryFault(answered, RegistryStatus.RetryAfter(response, _time)),
            _ => new RegistryException(RuntimeErrorKind.Invalid, endpoint.Host, $"registry {endpoint} refused {what}: {answered}"),
        };
    }

    /// <summary>The first error of a distribution error body (<c>{"errors":[{"code","message"}]}</c>), if there is one.</summary>
    private static async Task<string?> ErrorDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[ErrorBodyBytes];
                var length = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
                if (document.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
                {
                    var first = errors[0];
                    var code = first.TryGetProperty("code", out var c) ? c.GetString() : null;
                    var message = first.TryGetProperty("message", out var m) ? m.GetString() : null;
                    return $"{code} {message}".Trim();
                }
            }
        }
        catch (Exception e) when (e is JsonException or IOException or HttpRequestException or InvalidOperationException)
        {
            // Not a distribution error body: the status alone has to do.
        }

        return null;
    }

    private async Task<FetchedManifest> ReadManifestAsync(RegistryEndpoint endpoint, ImageReference reference, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            if (response.Content.Headers.ContentLength > _options.MaxManifestBytes)
            {
                throw Invalid(endpoint, reference, $"the manifest is {response.Content.Headers.ContentLength} bytes (limit {_options.MaxManifestBytes})");
            }

            var content = await ReadLimitedAsync(response, endpoint, reference, cancellationToken).ConfigureAwait(false);
            var mediaType = MediaTypeOf(response, content)
                ?? throw Invalid(endpoint, reference, "the document is not an OCI/Docker image manifest or index");
            if (!OciMediaTypes.IsIndex(mediaType) && !OciMediaTypes.IsManifest(mediaType))
            {
                throw Invalid(endpoint, reference, $"unsupported manifest media type {mediaType} (Docker schema 1 and others are not supported)");
            }

            var digest = VerifyDigest(endpoint, reference, response, content);
            return new FetchedManifest(mediaType, digest, content);
        }
    }

    private async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, RegistryEndpoint endpoint, ImageReference reference, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > _options.MaxManifestBytes)
                {
                    throw Invalid(endpoint, reference, $"the manifest exceeds {_options.MaxManifestBytes} bytes");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    /// <summary>The Content-Type if it names a manifest or index, else the document's own mediaType (or its shape).</summary>
    private static string? MediaTypeOf(HttpResponseMessage response, byte[] content)
    {
        var header = response.Content.Headers.ContentType?.MediaType;
        if (header is not null && (OciMediaTypes.IsIndex(header) || OciMediaTypes.IsManifest(header)))
        {
            return header;
        }

        try
        {
            using var document = JsonDocument.Parse(content);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            if (root.TryGetProperty("mediaType", out var mediaType) && mediaType.ValueKind == JsonValueKind.String)
            {
                return mediaType.GetString();
            }

            return root.TryGetProperty("manifests", out _) ? OciMediaTypes.ImageIndex
                : root.TryGetProperty("layers", out _) ? OciMediaTypes.ImageManifest
                : header;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>By digest: the bytes must hash to it. By tag: our sha256 of the bytes, cross-checked with Docker-Content-Digest.</summary>
    private static string VerifyDigest(RegistryEndpoint endpoint, ImageReference reference, HttpResponseMessage response, byte[] content)
    {
        if (reference.Digest is { } expected)
        {
            var actual = Compute(expected[..expected.IndexOf(':', StringComparison.Ordinal)], content);
            return actual == expected
                ? expected
                : throw DigestMismatch(endpoint, reference, expected, actual);
        }

        var computed = Digests.Sha256(content);
        if (response.Headers.TryGetValues(DockerContentDigest, out var values)
            && values.FirstOrDefault() is { } header
            && header.StartsWith(Digests.Sha256Prefix, StringComparison.Ordinal)
            && header != computed)
        {
            throw DigestMismatch(endpoint, reference, header, computed);
        }

        return computed;
    }

    private static string Compute(string algorithm, byte[] content) => algorithm switch
    {
        "sha384" => "sha384:" + Convert.ToHexStringLower(SHA384.HashData(content)),
        "sha512" => "sha512:" + Convert.ToHexStringLower(SHA512.HashData(content)),
        _ => Digests.Sha256(content),
    };

    private RegistryBlobStream OpenBlob(RegistryEndpoint endpoint, string what, long offset, HttpResponseMessage response)
    {
        var skip = 0L;
        if (offset > 0)
        {
            if (response.StatusCode == HttpStatusCode.PartialContent)
            {
                if (response.Content.Headers.ContentRange?.From != offset)
                {
                    response.Dispose();
                    throw new RegistryException(
                        RuntimeErrorKind.Invalid,
                        endpoint.Host,
                        $"registry {endpoint} answered range bytes={offset}- for {what} with {response.Content.Headers.ContentRange}");
                }
            }
            else
            {
                // The server ignored Range and sends the whole blob: drop the first bytes ourselves.
                skip = offset;
            }
        }

        // ReadAsStream on a ResponseHeadersRead response completes synchronously: the body stream is already there.
        var body = response.Content.ReadAsStream();
        return new RegistryBlobStream(response, body, skip, _options.ReadIdleTimeout, _time, $"{what} from {endpoint}");
    }

    private TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        var exponential = _options.InitialBackoff * Math.Pow(2, attempt - 1);
        var delay = retryAfter is { } server && server > exponential ? server : exponential;
        return delay > _options.MaxBackoff ? _options.MaxBackoff : delay;
    }

    private static string Describe(Exception e) => e switch
    {
        HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } h => $"{h.HttpRequestError}: {h.Message}",
        _ => e.Message,
    };

    private static RegistryException Invalid(RegistryEndpoint endpoint, ImageReference reference, string reason)
        => new(RuntimeErrorKind.Invalid, endpoint.Host, $"manifest {reference} from {endpoint}: {reason}");

    private static RegistryException DigestMismatch(RegistryEndpoint endpoint, ImageReference reference, string expected, string actual)
        => new(RuntimeErrorKind.Invalid, endpoint.Host, $"manifest {reference} from {endpoint}: digest mismatch: expected {expected}, got {actual}");
}
