using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NodeAgent.Api.Hosting;
using NodeAgent.Api.Patching;
using NodeAgent.Api.Resources;
using NodeAgent.Storage;

namespace NodeAgent.Api.Http;

/// <summary>
/// The entry for every <c>/api/…</c> and <c>/apis/…</c> resource URL: finds the resource, hands the
/// request to the verb's handler and turns every failure into a <c>Status</c> (the only place that
/// catches everything; a real bug is logged and answered with 500 InternalError, never a stack trace).
/// </summary>
internal sealed partial class ApiRouter
{
    private readonly IReadOnlyList<ResourceDefinition> _resources;
    private readonly ResourceHandlers _handlers;
    private readonly ILogger _logger;

    public ApiRouter(IReadOnlyList<ResourceDefinition> resources, ResourceHandlers handlers, ILoggerFactory loggerFactory)
    {
        _resources = resources;
        _handlers = handlers;
        _logger = loggerFactory.CreateLogger<ApiRouter>();
    }

    public async Task HandleAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        try
        {
            var path = context.Request.Path.Value ?? "";
            var segments = path.Split('/', StringSplitOptions.None).Skip(1).Select(Uri.UnescapeDataString).ToList();
            if (segments.Count > 0 && segments[^1].Length == 0)
            {
                segments.RemoveAt(segments.Count - 1);
            }

            var legacy = segments.Count > 0 && segments[0] == "api";
            var target = RequestTarget.Parse(_resources, legacy, segments.Skip(1).ToList()) ?? throw ApiException.UnknownPath();
            await _handlers.DispatchAsync(context, target, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away; nobody is left to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            var failure = ToApiException(e);
            if (failure.Code >= 500 && e is not ApiException)
            {
                LogUnexpected(_logger, context.Request.Method, context.Request.Path, e);
            }

            await StatusResponses.WriteAsync(context, failure.Code, failure.Reason, failure.Message, failure.Details);
        }
        catch (Exception e)
        {
            LogAfterStart(_logger, context.Request.Method, context.Request.Path, e);
        }
    }

    private static ApiException ToApiException(Exception e) => e switch
    {
        ApiException api => api,
        PatchException { Kind: PatchErrorKind.Conflict } p => new ApiException(409, "Conflict", p.Message),
        PatchException { Kind: PatchErrorKind.UnsupportedMediaType } p => new ApiException(415, "UnsupportedMediaType", p.Message),
        PatchException p => new ApiException(422, "Invalid", p.Path is { Length: > 0 } path ? $"{path}: {p.Message}" : p.Message),
        StorageException { Kind: StorageErrorKind.Gone } s => new ApiException(410, "Expired", s.Message),
        StorageException { Kind: StorageErrorKind.FutureRevision } s => new ApiException(504, "Timeout", s.Message),
        StorageException { Kind: StorageErrorKind.Conflict } s => new ApiException(409, "Conflict", s.Message),
        StorageException s => new ApiException(503, "ServiceUnavailable", $"storage is unavailable: {s.Message}"),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } b => new ApiException(413, "RequestEntityTooLarge", $"Request entity too large: {b.Message}"),
        BadHttpRequestException b => new ApiException(b.StatusCode, "BadRequest", b.Message),
        JsonException j => ApiException.BadRequest($"unable to decode the request body: {j.Message}"),
        NotSupportedException n => new ApiException(405, "MethodNotAllowed", n.Message),
        _ => new ApiException(500, "InternalError", "Internal error occurred: an unexpected error; see the API server log"),
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error in {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, string method, PathString path, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Error in {Method} {Path} after the response started")]
    private static partial void LogAfterStart(ILogger logger, string method, PathString path, Exception exception);
}
