using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NodeAgent.Configuration;

/// <summary>
/// Renders the effective settings as a YAML config file (usable as --config) with a comment
/// per line saying where each value came from.
/// </summary>
public static class ConfigPrinter
{
    public static string Print(ResolvedConfig config, NodeAgentOptions options)
    {
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"# config file: {config.ConfigFile ?? "(none)"}\n");
        foreach (var value in config.Values)
        {
            var effective = EffectiveValues(value.Key, options);
            var comment = value.Source == ConfigSource.Default ? "default" : value.Origin;
            if (value.Key.IsList)
            {
                if (effective.Count == 0)
                {
                    builder.Append(CultureInfo.InvariantCulture, $"{value.Key.Name}: []  # {comment}\n");
                    continue;
                }

                builder.Append(CultureInfo.InvariantCulture, $"{value.Key.Name}:  # {comment}\n");
                foreach (var item in effective)
                {
                    builder.Append(CultureInfo.InvariantCulture, $"  - {Quote(item)}\n");
                }
            }
            else
            {
                var text = effective.Count == 0 ? "null" : Quote(effective[0]);
                builder.Append(CultureInfo.InvariantCulture, $"{value.Key.Name}: {text}  # {comment}\n");
            }
        }

        return builder.ToString();
    }

    /// <summary>The validated value, so relative paths show absolute and defaults show what will be used.</summary>
    private static IReadOnlyList<string> EffectiveValues(ConfigKey key, NodeAgentOptions options)
    {
        string? single = key.Name switch
        {
            "data-dir" => options.DataDir,
            "run-dir" => options.RunDir,
            "api-address" => options.ApiAddress.ToString(),
            "api-port" => options.ApiPort.ToString(CultureInfo.InvariantCulture),
            "kubeconfig" => options.Kubeconfig,
            "node-name" => options.NodeName,
            "bridge" => options.Bridge,
            "pod-cidr" => options.PodCidr.ToString(),
            "service-cidr" => options.ServiceCidr.ToString(),
            "registry-config" => options.RegistryConfig,
            "metrics-port" => options.MetricsPort.ToString(CultureInfo.InvariantCulture),
            "datastore-endpoint" => options.DatastoreEndpoint,
            "container-runtime-endpoint" => options.ContainerRuntimeEndpoint,
            "listen" => options.Listen,
            "oci-runtime" => options.OciRuntime,
            "cni-bin-dir" => options.CniBinDir,
            "eviction-hard" => string.Join(',', options.EvictionHard),
            "container-log-max-size" => options.ContainerLogMaxSize,
            "container-log-max-files" => options.ContainerLogMaxFiles.ToString(CultureInfo.InvariantCulture),
            _ => null,
        };
        if (key == ConfigKeys.InsecureRegistry)
        {
            return options.InsecureRegistries;
        }

        return single is null ? [] : [single];
    }

    /// <summary>JSON strings are valid YAML scalars; plain text stays unquoted for readability.</summary>
    private static string Quote(string value)
        => value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '-' or '_' or ':') && !value.Contains(": ", StringComparison.Ordinal)
            ? value
            : JsonString(value);

    // The JSON writer rather than the serializer: no reflection (Native AOT publish).
    private static string JsonString(string value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, ReadableJson))
        {
            writer.WriteStringValue(value);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>No \u003C for '&lt;' (eviction thresholds): the output is a YAML file for people, not HTML.</summary>
    private static readonly JsonWriterOptions ReadableJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
