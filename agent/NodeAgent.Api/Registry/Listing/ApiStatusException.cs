using k8s.Models;
using NodeAgent.Api.Hosting;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Registry.Listing;

/// <summary>A request the read side refuses, carrying the <c>Status</c> to answer with (upstream's reasons and messages).</summary>
public sealed class ApiStatusException : Exception
{
    public ApiStatusException()
        : this(StatusResponses.Failure(500, "InternalError", "internal error"))
    {
    }

    public ApiStatusException(string message)
        : this(StatusResponses.Failure(400, "BadRequest", message))
    {
    }

    public ApiStatusException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = StatusResponses.Failure(400, "BadRequest", message);
    }

    public ApiStatusException(V1Status status)
        : base(status?.Message)
    {
        ArgumentNullException.ThrowIfNull(status);
        Status = status;
    }

    public V1Status Status { get; }

    public int Code => Status.Code ?? 500;

    public static ApiStatusException BadRequest(string message) => new(StatusResponses.Failure(400, "BadRequest", message));

    /// <summary>410 Gone, reason Expired (a compacted resourceVersion or continue token).</summary>
    public static ApiStatusException Expired(string message, string? continueToken = null)
    {
        var status = StatusResponses.Failure(410, "Expired", message);
        if (continueToken is not null)
        {
            status.Metadata = new V1ListMeta { ContinueProperty = continueToken };
        }

        return new ApiStatusException(status);
    }

    public static ApiStatusException NotAcceptable(string message) => new(StatusResponses.Failure(406, "NotAcceptable", message));

    /// <summary>504 as kube-apiserver answers a resourceVersion the store has not reached.</summary>
    public static ApiStatusException TooLargeResourceVersion(long requested, long current) => new(StatusResponses.Failure(
        504,
        "Timeout",
        $"Too large resource version: {requested}, current: {current}",
        new V1StatusDetails
        {
            Causes = [new V1StatusCause { Reason = "ResourceVersionTooLarge", Message = "Too large resource version" }],
            RetryAfterSeconds = 1,
        }));

    /// <summary>422 for invalid list/watch options, as upstream validates <c>ListOptions.meta.k8s.io</c>.</summary>
    public static ApiStatusException InvalidListOptions(IReadOnlyList<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var messages = errors.Select(e => $"{e.Field}: {e.Message}").ToList();
        var joined = messages.Count == 1 ? messages[0] : $"[{string.Join(", ", messages)}]";
        return new ApiStatusException(StatusResponses.Failure(
            422,
            "Invalid",
            $"ListOptions.meta.k8s.io \"\" is invalid: {joined}",
            new V1StatusDetails
            {
                Group = "meta.k8s.io",
                Kind = "ListOptions",
                Causes = [.. errors.Select(e => new V1StatusCause { Reason = e.Reason, Message = e.Message, Field = e.Field })],
            }));
    }
}
