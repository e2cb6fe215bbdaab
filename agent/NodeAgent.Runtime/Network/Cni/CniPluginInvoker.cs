using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NodeAgent.Runtime.Common.Processes;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Network.Cni;

/// <summary>
/// Runs CNI plugins as the spec prescribes: the plugin named by "type" from the bin directory,
/// parameters in CNI_* environment variables (nothing else inherited), the network configuration
/// on stdin (with the list's name and cniVersion, runtimeConfig for the capabilities the plugin
/// declares, and prevResult), the result or error JSON on stdout.
/// </summary>
internal sealed class CniPluginInvoker
{
    // Plugins run iptables, ip and the IPAM plugin; they need a PATH but nothing else of ours.
    private const string PluginPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private readonly IProcessRunner _processRunner;
    private readonly string _binDirectory;
    private readonly TimeSpan _timeout;

    public CniPluginInvoker(IProcessRunner processRunner, string binDirectory, TimeSpan timeout)
    {
        _processRunner = processRunner ?? throw new ArgumentNullException(nameof(processRunner));
        _binDirectory = binDirectory ?? throw new ArgumentNullException(nameof(binDirectory));
        _timeout = timeout;
    }

    public string PluginFile(string type)
    {
        if (type.Length == 0 || type.Contains('/', StringComparison.Ordinal) || type is "." or "..")
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"CNI plugin type \"{type}\" is not a plain program name");
        }

        return Path.Combine(_binDirectory, type);
    }

    /// <summary>ADD every plugin of the list in order, each getting the previous one's result; returns the last result.</summary>
    /// <exception cref="CniAddException">A plugin failed; <see cref="CniAddException.PluginsAdded"/> tells how far it got.</exception>
    public async Task<CniResult> AddNetworkListAsync(CniNetworkConfigList list, CniRuntimeArgs args, JsonObject runtimeConfig, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(list);
        JsonObject? prevResult = null;
        CniResult? result = null;
        for (var i = 0; i < list.Plugins.Count; i++)
        {
            var config = PluginConfig(list, list.Plugins[i], runtimeConfig, prevResult);
            try
            {
                result = CniResult.Parse(
                    await ExecAsync("ADD", config, args, cancellationToken),
                    $"CNI ADD of plugin {Type(list.Plugins[i])} for {args.ContainerId}");
            }
            catch (RuntimeException e)
            {
                throw new CniAddException(i, e);
            }

            prevResult = result.Json;
        }

        return result ?? throw new RuntimeException(RuntimeErrorKind.Invalid, $"CNI conflist {list.Name} has no plugins");
    }

    /// <summary>
    /// DEL every plugin in reverse order with the ADD's config, runtimeConfig and (when known) its
    /// final result as prevResult. "Not found" counts as success; other failures do not stop the
    /// remaining plugins and are thrown together at the end.
    /// </summary>
    public async Task DeleteNetworkListAsync(CniNetworkConfigList list, CniRuntimeArgs args, JsonObject runtimeConfig, JsonObject? prevResult, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(list);
        var failures = new List<Exception>();
        for (var i = list.Plugins.Count - 1; i >= 0; i--)
        {
            var config = PluginConfig(list, list.Plugins[i], runtimeConfig, prevResult);
            try
            {
                await ExecAsync("DEL", config, args, cancellationToken);
            }
            catch (CniPluginException e) when (e.IsNotFound)
            {
                // Already gone: exactly what DEL wants.
            }
            catch (RuntimeException e)
            {
                failures.Add(e);
            }
        }

        if (failures.Count == 1)
        {
            throw failures[0];
        }

        if (failures.Count > 1)
        {
            throw new RuntimeException(
                RuntimeErrorKind.Internal,
                $"CNI DEL of network {list.Name} for {args.ContainerId} failed: {string.Join("; ", failures.Select(f => f.Message))}",
                new AggregateException(failures));
        }
    }

    /// <summary>CNI VERSION: the spec versions the plugin supports.</summary>
    public async Task<IReadOnlyList<string>> SupportedVersionsAsync(string type, CancellationToken cancellationToken)
    {
        var config = new JsonObject { ["cniVersion"] = CniConfigGenerator.CniVersion };
        var output = await ExecAsync("VERSION", config, new CniRuntimeArgs("", "", "", []), cancellationToken, type);
        try
        {
            var json = JsonNode.Parse(output) as JsonObject;
            return json?["supportedVersions"] is JsonArray versions
                ? versions.Select(v => v?.GetValue<string>() ?? "").Where(v => v.Length > 0).ToList()
                : [];
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new RuntimeException(RuntimeErrorKind.Internal, $"CNI VERSION of plugin {type}: unreadable answer \"{output.Trim()}\"", e);
        }
    }

    /// <summary>
    /// The stdin document for one plugin of a list: the plugin's own fields plus the list's name and
    /// cniVersion, the runtimeConfig keys the plugin declares in "capabilities", and prevResult.
    /// </summary>
    public static JsonObject PluginConfig(CniNetworkConfigList list, JsonObject plugin, JsonObject runtimeConfig, JsonObject? prevResult)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(plugin);
        ArgumentNullException.ThrowIfNull(runtimeConfig);
        var config = (JsonObject)plugin.DeepClone();
        config["cniVersion"] = list.CniVersion;
        config["name"] = list.Name;
        var selected = new JsonObject();
        if (plugin["capabilities"] is JsonObject capabilities)
        {
            foreach (var (capability, enabled) in capabilities)
            {
                if (enabled is JsonValue flag && flag.TryGetValue(out bool on) && on && runtimeConfig[capability] is { } value)
                {
                    selected[capability] = value.DeepClone();
                }
            }
        }

        if (selected.Count > 0)
        {
            config["runtimeConfig"] = selected;
        }

        if (prevResult is not null)
        {
            config["prevResult"] = prevResult.DeepClone();
        }

        return config;
    }

    private static string Type(JsonObject plugin) => CniJson.RequiredString(plugin, "type", "CNI plugin");

    private async Task<string> ExecAsync(string command, JsonObject config, CniRuntimeArgs args, CancellationToken cancellationToken, string? type = null)
    {
        type ??= Type(config);
        var file = PluginFile(type);
        var environment = new Dictionary<string, string?>
        {
            ["CNI_COMMAND"] = command,
            ["CNI_CONTAINERID"] = args.ContainerId,
            ["CNI_NETNS"] = args.NetnsPath,
            ["CNI_IFNAME"] = args.InterfaceName,
            ["CNI_ARGS"] = args.FormatArgs(),
            ["CNI_PATH"] = _binDirectory,
            ["PATH"] = PluginPath,
        };
        var spec = new ProcessSpec(file, [])
        {
            ClearEnvironment = true,
            Environment = environment,
            StandardInput = Encoding.UTF8.GetBytes(config.ToJsonString()),
            Timeout = _timeout,
        };

        ProcessResult result;
        try
        {
            result = await _processRunner.RunAsync(spec, cancellationToken);
        }
        catch (RuntimeException e) when (e is not CniPluginException && !cancellationToken.IsCancellationRequested)
        {
            throw new CniPluginException(command, type, args.ContainerId, 0, e.Message, null, e);
        }

        if (!result.Succeeded)
        {
            throw CniErrorParser.Parse(command, type, args.ContainerId, result);
        }

        return result.StandardOutput;
    }
}
