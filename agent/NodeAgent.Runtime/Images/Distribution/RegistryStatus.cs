using System.Net;

namespace NodeAgent.Runtime.Images.Distribution;

/// <summary>How registry HTTP statuses are treated.</summary>
internal static class RegistryStatus
{
    public static bool IsTransient(HttpStatusCode status)
        => status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>The server's <c>Retry-After</c> (delta or date), if any.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? date - time.GetUtcNow() : null;
    }
}
