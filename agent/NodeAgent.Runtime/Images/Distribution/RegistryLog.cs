using Microsoft.Extensions.Logging;

namespace NodeAgent.Runtime.Images.Distribution;

internal static partial class RegistryLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Registry {Host}: {What} failed (try {Attempt} of {MaxAttempts}): {Reason}; retrying in {Delay}")]
    public static partial void Retrying(ILogger logger, string host, string what, int attempt, int maxAttempts, string reason, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registry endpoint {Endpoint} could not serve {Reference}: {Reason}; trying the next endpoint")]
    public static partial void NextEndpoint(ILogger logger, string endpoint, string reference, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Registry {Host}: got a bearer token for {Scope} from {Realm}, valid for {Lifetime}")]
    public static partial void TokenFetched(ILogger logger, string host, string scope, string realm, TimeSpan lifetime);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Registry {Host}: {Method} {Uri} → {Status}")]
    public static partial void Response(ILogger logger, string host, string method, Uri uri, int status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Registry configuration {Path} does not exist: no mirrors or per-registry settings")]
    public static partial void NoRegistriesYaml(ILogger logger, string path);
}
