using System.Globalization;
using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace NodeAgent.Api.Http.Streams;

/// <summary>
/// The query parameters of the pod stream subresources (<c>PodLogOptions</c>, <c>PodExecOptions</c>,
/// <c>PodAttachOptions</c>, <c>PodPortForwardOptions</c>) checked the way the API server checks them upstream.
/// </summary>
public static class PodStreamQuery
{
    public static PodLogRequest Log(V1Pod pod, IQueryCollection query, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sinceSeconds = Long(query, "sinceSeconds");
        var sinceTime = query["sinceTime"].ToString();
        if (sinceSeconds is not null && sinceTime.Length > 0)
        {
            throw ApiException.BadRequest("at most one of `sinceTime` or `sinceSeconds` may be specified");
        }

        if (sinceSeconds is < 1)
        {
            throw ApiException.BadRequest("sinceSeconds: Invalid value: must be greater than 0");
        }

        var tailLines = Long(query, "tailLines");
        if (tailLines is < 0)
        {
            throw ApiException.BadRequest("tailLines: Invalid value: must be greater than or equal to 0");
        }

        var limitBytes = Long(query, "limitBytes");
        if (limitBytes is < 1)
        {
            throw ApiException.BadRequest("limitBytes: Invalid value: must be greater than 0");
        }

        DateTimeOffset? since = sinceSeconds is { } seconds ? now.AddSeconds(-seconds) : null;
        if (sinceTime.Length > 0)
        {
            since = DateTimeOffset.TryParse(sinceTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed
                : throw ApiException.BadRequest($"sinceTime: Invalid value: \"{sinceTime}\": must be an RFC3339 time");
        }

        return new PodLogRequest
        {
            Container = Container(pod, query),
            Follow = Bool(query, "follow"),
            Previous = Bool(query, "previous"),
            TailLines = tailLines,
            Since = since,
            Timestamps = Bool(query, "timestamps"),
            LimitBytes = limitBytes,
        };
    }

    public static PodCommandRequest Exec(V1Pod pod, IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var command = query["command"].Select(c => c ?? "").ToList();
        if (command.Count == 0)
        {
            throw ApiException.BadRequest("you must specify at least 1 command");
        }

        return Command(pod, query, command);
    }

    public static PodCommandRequest Attach(V1Pod pod, IQueryCollection query) => Command(pod, query, []);

    /// <summary><c>?ports=</c> (each a port number; the SPDY protocol may name them later, per stream, instead).</summary>
    public static IReadOnlyList<int> Ports(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var ports = new List<int>();
        foreach (var value in query["ports"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            ports.Add(int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
                ? port
                : throw ApiException.BadRequest($"ports: Invalid value: \"{value}\": must be a valid port number between 1 and 65535"));
        }

        return ports;
    }

    /// <summary>The named container, or the only one; upstream's messages for a missing or unknown name.</summary>
    public static string Container(V1Pod pod, IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(query);
        var name = query["container"].ToString();
        var containers = pod.Spec?.Containers?.Select(c => c.Name).ToList() ?? [];
        var initContainers = pod.Spec?.InitContainers?.Select(c => c.Name).ToList() ?? [];
        if (name.Length == 0)
        {
            if (containers.Count == 1)
            {
                return containers[0];
            }

            var message = $"a container name must be specified for pod {pod.Metadata.Name}, choose one of: [{string.Join(' ', containers)}]";
            throw ApiException.BadRequest(initContainers.Count == 0 ? message : $"{message} or one of the init containers: [{string.Join(' ', initContainers)}]");
        }

        var ephemeral = pod.Spec?.EphemeralContainers?.Select(c => c.Name) ?? [];
        return containers.Concat(initContainers).Concat(ephemeral).Contains(name, StringComparer.Ordinal)
            ? name
            : throw ApiException.BadRequest($"container {name} is not valid for pod {pod.Metadata.Name}");
    }

    private static PodCommandRequest Command(V1Pod pod, IQueryCollection query, IReadOnlyList<string> command)
    {
        var (stdin, stdout, stderr, tty) = (Bool(query, "stdin"), Bool(query, "stdout"), Bool(query, "stderr"), Bool(query, "tty"));
        if (!stdin && !stdout && !stderr)
        {
            throw ApiException.BadRequest("you must specify at least one of stdin, stdout, stderr");
        }

        return new PodCommandRequest(Container(pod, query), command, stdin, stdout, stderr, tty);
    }

    private static bool Bool(IQueryCollection query, string name) =>
        query[name].ToString() is var value && (value == "true" || value == "1");

    private static long? Long(IQueryCollection query, string name)
    {
        var value = query[name].ToString();
        if (value.Length == 0)
        {
            return null;
        }

        return long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw ApiException.BadRequest($"{name}: Invalid value: \"{value}\": must be an integer");
    }
}
