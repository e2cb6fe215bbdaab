using System.Net;
using System.Security.Cryptography.X509Certificates;
using NodeAgent.Api.Http.Streams;
using NodeAgent.Api.Security;

namespace NodeAgent.Api.Hosting;

/// <summary>What the API server needs to start; the <c>server</c> command builds it from its configuration.</summary>
public sealed record ApiServerOptions
{
    public required IPAddress Address { get; init; }

    /// <summary>0 picks a free port (tests); <see cref="ApiServer.Port"/> tells which.</summary>
    public required int Port { get; init; }

    /// <summary>Where Services' clusterIPs come from.</summary>
    public required IPNetwork ServiceCidr { get; init; }

    /// <summary>The serving certificate with its private key (HTTPS only; there is no plain HTTP listener).</summary>
    public required X509Certificate2 ServingCertificate { get; init; }

    /// <summary>CA whose client certificates are accepted (null: client certificates are not asked for).</summary>
    public X509Certificate2? ClientCertificateAuthority { get; init; }

    /// <summary>Tried in order; the first non-null user wins.</summary>
    public required IReadOnlyList<IApiAuthenticator> Authenticators { get; init; }

    public required IApiAuthorizer Authorizer { get; init; }

    /// <summary>Largest request body accepted (413 above it); upstream's limit is 3 MiB for objects.</summary>
    public long MaxRequestBodyBytes { get; init; } = 3 * 1024 * 1024;

    /// <summary>What <c>/version</c> reports; kubectl compares its minor version with its own.</summary>
    public string GitVersion { get; init; } = "v1.32.0+nodeagent";

    /// <summary>Serves pods/log, exec, attach and portforward (the node); null answers them 503.</summary>
    public IPodStreams? PodStreams { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Issues and accepts service-account tokens: serviceaccounts/token, the token authenticator and the
    /// ServiceAccount admission of pods. Null (an API server without controllers): none of these.
    /// </summary>
    public ServiceAccountTokens? ServiceAccountTokens { get; init; }
}
