using Microsoft.Extensions.Logging;

namespace NodeAgent.Cli;

/// <summary>Console logging for long-running subcommands; NODEAGENT_LOG_LEVEL (e.g. Debug) overrides Information; Trace adds one line per HTTP request.</summary>
internal static class CliLogging
{
    public static ILoggerFactory Create()
    {
        var level = Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("NODEAGENT_LOG_LEVEL"), ignoreCase: true, out var parsed) ? parsed : LogLevel.Information;
        return LoggerFactory.Create(builder => builder
            .SetMinimumLevel(level)
            // Trace also logs every HTTP request with its status and time, as kube-apiserver's httplog does at -v=8.
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", level == LogLevel.Trace ? LogLevel.Information : LogLevel.Warning)
            .AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning)
            .AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                console.UseUtcTimestamp = true;
            }));
    }
}
