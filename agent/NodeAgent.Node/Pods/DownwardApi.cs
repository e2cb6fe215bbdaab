using System.Globalization;
using System.Text;
using k8s.Models;

namespace NodeAgent.Node.Pods;

/// <summary>fieldRef and resourceFieldRef values, shared by env vars and downwardAPI volumes.</summary>
public static class DownwardApi
{
    /// <exception cref="ContainerConfigException">The field path is not one the downward API supports.</exception>
    public static string Field(V1Pod pod, string fieldPath, string? podIP, string? hostIP)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(fieldPath);
        var meta = pod.Metadata;
        if (TrySubscript(fieldPath, "metadata.labels", out var label))
        {
            return meta.Labels?.TryGetValue(label, out var v) == true ? v : string.Empty;
        }

        if (TrySubscript(fieldPath, "metadata.annotations", out var annotation))
        {
            return meta.Annotations?.TryGetValue(annotation, out var v) == true ? v : string.Empty;
        }

        return fieldPath switch
        {
            "metadata.name" => meta.Name,
            "metadata.namespace" => SandboxConfigBuilder.Namespace(pod),
            "metadata.uid" => meta.Uid,
            "metadata.labels" => FormatMap(meta.Labels),
            "metadata.annotations" => FormatMap(meta.Annotations),
            "spec.nodeName" => pod.Spec.NodeName ?? string.Empty,
            "spec.serviceAccountName" => pod.Spec.ServiceAccountName ?? string.Empty,
            "status.podIP" or "status.podIPs" => podIP ?? string.Empty,
            "status.hostIP" or "status.hostIPs" => hostIP ?? string.Empty,
            _ => throw new ContainerConfigException($"unsupported fieldPath: {fieldPath}"),
        };
    }

    /// <summary>Resource value divided by the divisor, rounded up (the API's convention, so 250m cpu is "1").</summary>
    public static string Resource(V1Pod pod, string? containerName, V1ResourceFieldSelector selector, NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(options);
        var name = string.IsNullOrEmpty(selector.ContainerName) ? containerName : selector.ContainerName;
        var container = (pod.Spec.Containers ?? []).Concat(pod.Spec.InitContainers ?? []).FirstOrDefault(c => c.Name == name)
            ?? throw new ContainerConfigException($"container {name} not found in pod for resourceFieldRef {selector.Resource}");
        var parts = selector.Resource.Split('.', 2);
        if (parts.Length != 2 || parts[0] is not ("limits" or "requests"))
        {
            throw new ContainerConfigException($"unsupported container resource: {selector.Resource}");
        }

        var limit = QosClass.Quantity(container.Resources?.Limits, parts[1])?.ToDecimal();
        var request = QosClass.Quantity(container.Resources?.Requests, parts[1])?.ToDecimal();
        decimal value = parts[0] == "limits"
            ? limit ?? Allocatable(parts[1], options)
            : request ?? limit ?? (parts[1] == "cpu" ? 0m : 0m);
        var divisor = selector.Divisor?.ToDecimal() ?? 1m;
        if (divisor == 0)
        {
            divisor = 1m;
        }

        return decimal.Ceiling(value / divisor).ToString(CultureInfo.InvariantCulture);
    }

    private static decimal Allocatable(string resource, NodeOptions options) => resource switch
    {
        "cpu" => options.AllocatableMilliCpu / 1000m,
        "memory" => options.MemoryCapacityBytes,
        _ => 0m,
    };

    private static bool TrySubscript(string path, string prefix, out string key)
    {
        key = string.Empty;
        if (path.StartsWith(prefix + "['", StringComparison.Ordinal) && path.EndsWith("']", StringComparison.Ordinal))
        {
            key = path[(prefix.Length + 2)..^2];
            return true;
        }

        return false;
    }

    /// <summary>The downward API's map format: sorted <c>key="value"</c> lines with Go-style quoting.</summary>
    private static string FormatMap(IDictionary<string, string>? map)
    {
        if (map is null)
        {
            return string.Empty;
        }

        var sb = new StringBuilder();
        foreach (var (k, v) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (sb.Length > 0)
            {
                sb.Append('\n');
            }

            sb.Append(k).Append("=\"").Append(v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('"');
        }

        return sb.ToString();
    }
}
