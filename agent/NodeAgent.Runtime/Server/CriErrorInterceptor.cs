using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Images.Unpack;

namespace NodeAgent.Runtime.Server;

/// <summary>
/// The one place where domain errors become gRPC statuses, and where every CRI call is logged
/// with its duration and outcome.
/// </summary>
internal sealed partial class CriErrorInterceptor(ILogger<CriErrorInterceptor> logger, TimeProvider time) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var started = time.GetTimestamp();
        try
        {
            var response = await continuation(request, context);
            var elapsed = time.GetElapsedTime(started);
            LogCall(logger, context.Method, elapsed);
            return response;
        }
        catch (Exception e) when (e is not RpcException)
        {
            var status = ToStatus(e, context.CancellationToken);
            LogFailed(logger, context.Method, status.StatusCode, status.Detail);
            throw new RpcException(status);
        }
    }

    internal static Status ToStatus(Exception e, CancellationToken callToken) => e switch
    {
        RuntimeException r => new Status(ToCode(r.Kind), r.Message),
        UnsafeLayerException u => new Status(StatusCode.InvalidArgument, u.Message),
        OperationCanceledException when callToken.IsCancellationRequested => new Status(StatusCode.Cancelled, "the call was cancelled"),
        OperationCanceledException or TimeoutException => new Status(StatusCode.DeadlineExceeded, e.Message),
        _ when CategorizedError.TryGetKind(e, out var kind) => new Status(ToCode(kind), e.Message),
        _ => new Status(StatusCode.Internal, e.Message),
    };

    private static StatusCode ToCode(RuntimeErrorKind kind) => kind switch
    {
        RuntimeErrorKind.NotFound => StatusCode.NotFound,
        RuntimeErrorKind.AlreadyExists => StatusCode.AlreadyExists,
        RuntimeErrorKind.Conflict => StatusCode.Aborted,
        RuntimeErrorKind.Invalid => StatusCode.InvalidArgument,
        RuntimeErrorKind.FailedPrecondition => StatusCode.FailedPrecondition,
        RuntimeErrorKind.Unavailable => StatusCode.Unavailable,
        RuntimeErrorKind.Unauthenticated => StatusCode.Unauthenticated,
        _ => StatusCode.Internal,
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "CRI {Method} ok in {Elapsed}")]
    private static partial void LogCall(ILogger logger, string method, TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CRI {Method} failed: {Code} {Detail}")]
    private static partial void LogFailed(ILogger logger, string method, StatusCode code, string detail);
}
