using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodeAgent.Api.Discovery;
using NodeAgent.Api.Http;
using NodeAgent.Api.OpenApi;
using NodeAgent.Api.Registry;
using NodeAgent.Api.Resources;
using NodeAgent.Storage;

namespace NodeAgent.Api.Hosting;

/// <summary>
/// The Kubernetes API server: HTTPS only, every request authenticated and authorized except the
/// health endpoints. <see cref="StartAsync"/> returns once the API answers and the system
/// namespaces exist, so the caller may then write the kubeconfig.
/// </summary>
public sealed class ApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly NamespaceCache _namespaces;

    private ApiServer(WebApplication app, NamespaceCache namespaces, int port, IReadOnlyList<ResourceDefinition> resources)
    {
        _app = app;
        _namespaces = namespaces;
        Port = port;
        Resources = resources;
    }

    /// <summary>The port actually bound (useful when the options asked for 0).</summary>
    public int Port { get; }

    public IReadOnlyList<ResourceDefinition> Resources { get; }

    public static async Task<ApiServer> StartAsync(
        ApiServerOptions options, IRevisionedStore store, ILoggerFactory loggerFactory, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        var resources = BuiltinResources.All(new ResourceContext(store, options.ServiceCidr, options.TimeProvider, options.ServiceAccountTokens is not null));
        IReadOnlyList<Security.IApiAuthenticator> authenticators = options.ServiceAccountTokens is { } tokens
            ? [.. options.Authenticators, new Security.ServiceAccountTokenAuthenticator(tokens, store)]
            : options.Authenticators;

        // No file watcher on the content root for appsettings reloads (one per host cost ~40 MB RSS; bench/README.md).
        var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false"]);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(options);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.Listen(options.Address, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = options.ServingCertificate;
                    https.ClientCertificateMode = options.ClientCertificateAuthority is null
                        ? ClientCertificateMode.NoCertificate
                        : ClientCertificateMode.AllowCertificate;

                    // Client certificates are checked against our CA by the authenticator, not by the TLS stack.
                    https.AllowAnyClientCertificate();
                });
            });
        });

        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            if (IsHealthPath(context.Request.Path))
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            if (await Security.ApiAuthentication.FirstAsync(authenticators, context, context.RequestAborted).ConfigureAwait(false) is not { } user)
            {
                await StatusResponses.WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", "Unauthorized").ConfigureAwait(false);
                return;
            }

            var impersonation = Security.Impersonation.Apply(user, context.Request, options.Authorizer);
            if (impersonation.BadRequest is { } bad)
            {
                await StatusResponses.WriteAsync(context, StatusCodes.Status400BadRequest, "BadRequest", bad).ConfigureAwait(false);
                return;
            }

            if (impersonation.Denied is { } refused)
            {
                await WriteForbiddenAsync(context, refused).ConfigureAwait(false);
                return;
            }

            user = impersonation.User!;
            var attributes = Security.AuthorizationAttributes.FromRequest(user, context.Request);
            if (!options.Authorizer.Authorize(attributes).Allowed)
            {
                await WriteForbiddenAsync(context, attributes).ConfigureAwait(false);
                return;
            }

            context.Items[typeof(Security.ApiUser)] = user;
            await next(context).ConfigureAwait(false);
        });

        app.MapGet("/healthz", PlainOk);
        app.MapGet("/livez", PlainOk);
        app.MapGet("/readyz", PlainOk);
        app.MapDiscovery(resources, options.GitVersion);
                app.MapOpenApi(resources);

        var reader = new CollectionReader(store, options.TimeProvider, loggerFactory);
        var writer = new ResourceWriter(store, resources, options.TimeProvider, loggerFactory);
        var router = new ApiRouter(resources, new ResourceHandlers(writer, reader, options, authenticators), loggerFactory);
        app.Map("/api/{**path}", router.HandleAsync);
        app.Map("/apis/{**path}", router.HandleAsync);

        var namespaces = writer.Namespaces.Cache;
        try
        {
            // Before the first request, so creates find their namespace without a storage read (NamespaceCache).
            await namespaces.StartAsync(ct).ConfigureAwait(false);
            await app.StartAsync(ct).ConfigureAwait(false);
            await SystemNamespaces.EnsureAsync(writer, ct).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            await namespaces.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var port = options.Port != 0 ? options.Port : BoundPort(app);
        return new ApiServer(app, namespaces, port, resources);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await _namespaces.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Upstream's wording: <c>pods is forbidden: User "x" cannot list resource "pods" in API group "" in the namespace "y"</c>.</summary>
    private static Task WriteForbiddenAsync(HttpContext context, Security.AuthorizationAttributes attributes)
    {
        if (!attributes.IsResourceRequest)
        {
            return StatusResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", "forbidden: " + attributes.ForbiddenMessage());
        }

        var qualified = attributes.ApiGroup.Length == 0 ? attributes.Resource : $"{attributes.Resource}.{attributes.ApiGroup}";
        var subject = attributes.Name.Length == 0 ? qualified : $"{qualified} \"{attributes.Name}\"";
        var details = new k8s.Models.V1StatusDetails
        {
            Name = attributes.Name.Length == 0 ? null : attributes.Name,
            Group = attributes.ApiGroup.Length == 0 ? null : attributes.ApiGroup,
            Kind = attributes.Resource,
        };
        return StatusResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", $"{subject} is forbidden: {attributes.ForbiddenMessage()}", details);
    }

    // A RequestDelegate rather than a lambda returning "ok": no RequestDelegateFactory (expression trees) for the
    // Native AOT publish. Same response: text/plain, "ok".
    private static readonly RequestDelegate PlainOk = context =>
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("ok", context.RequestAborted);
    };

    private static bool IsHealthPath(PathString path) =>
        path.StartsWithSegments("/healthz") || path.StartsWithSegments("/livez") || path.StartsWithSegments("/readyz");

    private static int BoundPort(WebApplication app)
    {
        var address = app.Urls.First();
        return new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal)).Port;
    }
}
