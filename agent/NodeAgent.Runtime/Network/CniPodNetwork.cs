using NodeAgent.Runtime.Common;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Runtime.Common.Processes;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Network.Cni;

namespace NodeAgent.Runtime.Network;

/// <summary>
/// <see cref="IPodNetwork"/> over CNI plugins: a pinned netns per sandbox with lo set up in-process, the
/// generated bridge/host-local/portmap list on the pod interface, state on disk for DEL.
/// Calls for one sandbox serialise on a keyed lock; different sandboxes run in parallel.
/// </summary>
public sealed class CniPodNetwork : IPodNetwork
{
    private const string LoopbackInterface = "lo";

    // Undo work must finish even when the caller's token is what made the set-up fail.
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromMinutes(2);

    private readonly PodNetworkOptions _options;
    private readonly CniPluginInvoker _invoker;
    private readonly BridgeMasqueradeCleanup _masquerade;
    private readonly NodeMasquerade _nodeMasquerade;
    private readonly PodNetworkStateStore _store;
    private readonly KeyedLock _locks = new();
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private volatile bool _pluginVersionsChecked;

    public CniPodNetwork(PodNetworkOptions options, IProcessRunner processRunner, ILogger<CniPodNetwork>? logger = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        ArgumentNullException.ThrowIfNull(processRunner);
        _invoker = new CniPluginInvoker(processRunner, options.CniBinDirectory, options.PluginTimeout);
        _masquerade = new BridgeMasqueradeCleanup(processRunner);
        _nodeMasquerade = new NodeMasquerade(processRunner);
        _store = new PodNetworkStateStore(options.StateDirectory);
        _logger = logger ?? NullLogger<CniPodNetwork>.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public async Task<PodNetworkResult> SetUpAsync(PodNetworkRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateSandboxId(request.SandboxId);
        var cniArgs = CniArgsFor(request);
        var portMappings = ValidatePortMappings(request);
        var podNetwork = CniConfigGenerator.PodNetwork(_options, withPortMappings: portMappings.Count > 0);
        var runtimeConfig = CniConfigGenerator.RuntimeConfig(portMappings);
        await _nodeMasquerade.EnsureAsync(_options.BridgeName, CniConfigGenerator.Validate(_options), cancellationToken);

        using var held = await _locks.AcquireAsync(request.SandboxId, cancellationToken);
        var existing = await _store.ReadAsync(request.SandboxId, cancellationToken);
        if (existing is { Phase: PodNetworkPhase.Ready } && File.Exists(existing.NetnsPath))
        {
            // A set-up that finished after its caller gave up: hand it to the retry.
            request.NamespaceCreated?.Invoke(existing.NetnsPath);
            return ResultOf(existing);
        }

        if (existing is not null)
        {
            CniPodNetworkLog.ReplacingStale(_logger, request.SandboxId, existing.Phase);
            await TearDownCoreAsync(existing, cancellationToken);
        }
        else if (NetnsPinner.Exists(request.SandboxId))
        {
            throw new RuntimeException(RuntimeErrorKind.AlreadyExists, $"set up network of sandbox {request.SandboxId}: {NetnsPinner.PathFor(request.SandboxId)} exists but is not ours (no state)");
        }

        var started = Stopwatch.GetTimestamp();
        var state = new PodNetworkState
        {
            SandboxId = request.SandboxId,
            Phase = PodNetworkPhase.SettingUp,
            NetnsPath = NetnsPinner.PathFor(request.SandboxId),
            InterfaceName = _options.InterfaceName,
            CniArgs = cniArgs,
            PodNetworkConfig = podNetwork.ToJson(),
            RuntimeConfig = runtimeConfig,
            CreatedAt = _timeProvider.GetUtcNow(),
        };

        // Written before anything exists on the host, so whatever follows can be undone after a crash.
        await _store.WriteAsync(state, cancellationToken);
        try
        {
            await NetnsPinner.CreateAsync(request.SandboxId, cancellationToken);
            request.NamespaceCreated?.Invoke(state.NetnsPath);

            // lo is already up (NetnsPinner did it in the new namespace: no loopback plugin runs).
            // The plugins are never killed halfway (only bounded by the plugin timeout): a bridge
            // plugin interrupted while creating the bridge leaves one the next ADD cannot configure
            // ("could not set bridge's mac"). The caller's cancellation takes effect once they
            // returned, and the rollback undoes their work.
            var result = await _invoker.AddNetworkListAsync(podNetwork, ArgsFor(state, state.NetnsPath, state.InterfaceName), runtimeConfig, CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            var addresses = result.SandboxAddresses();
            if (addresses.Count == 0)
            {
                throw new RuntimeException(RuntimeErrorKind.Internal, $"set up network of sandbox {request.SandboxId}: CNI ADD returned no address for {state.InterfaceName}");
            }

            state = state with
            {
                Phase = PodNetworkPhase.Ready,
                Result = result.Json,
                Addresses = addresses.Select(a => a.ToString()).ToList(),
            };
            await _store.WriteAsync(state, cancellationToken);
        }
        catch (Exception e)
        {
            CniPodNetworkLog.SetUpFailed(_logger, request.SandboxId, e.Message);
            await RollBackAsync(state);
            if (e is OperationCanceledException || e.Message.StartsWith("set up network of sandbox", StringComparison.Ordinal))
            {
                throw;
            }

            throw new RuntimeException(
                e is RuntimeException r ? r.Kind : RuntimeErrorKind.Internal,
                $"set up network of sandbox {request.SandboxId}: {e.Message}",
                e);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        CniPodNetworkLog.SetUp(_logger, request.SandboxId, state.Addresses, elapsed);
        return ResultOf(state);
    }

    public async Task TearDownAsync(string sandboxId, CancellationToken cancellationToken)
    {
        ValidateSandboxId(sandboxId);
        using var held = await _locks.AcquireAsync(sandboxId, cancellationToken);
        var state = await _store.ReadAsync(sandboxId, cancellationToken);
        if (state is null)
        {
            // No state means no ADD ever ran (state is written first); only a stray pin can remain.
            NetnsPinner.Remove(sandboxId);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        await TearDownCoreAsync(state, cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started);
        CniPodNetworkLog.TornDown(_logger, sandboxId, elapsed);
    }

    public async Task<PodNetworkResult?> GetAsync(string sandboxId, CancellationToken cancellationToken)
    {
        ValidateSandboxId(sandboxId);
        using var held = await _locks.AcquireAsync(sandboxId, cancellationToken);
        var state = await _store.ReadAsync(sandboxId, cancellationToken);
        return state is { Phase: PodNetworkPhase.Ready } ? ResultOf(state) : null;
    }

    public async Task<NetworkStatus> StatusAsync(CancellationToken cancellationToken)
    {
        const string Reason = "NetworkPluginNotReady";
        try
        {
            CniConfigGenerator.PodNetwork(_options);
        }
        catch (RuntimeException e)
        {
            return new NetworkStatus(false, Reason, $"Network plugin returns error: invalid configuration: {e.Message}");
        }

        var missing = CniConfigGenerator.RequiredPlugins.Where(p => !IsExecutable(_invoker.PluginFile(p))).ToList();
        if (missing.Count > 0)
        {
            return new NetworkStatus(false, Reason, $"Network plugin returns error: CNI plugins {string.Join(", ", missing)} not found (or not executable) in {_options.CniBinDirectory}; install containernetworking-plugins");
        }

        if (!_pluginVersionsChecked)
        {
            foreach (var plugin in CniConfigGenerator.RequiredPlugins)
            {
                IReadOnlyList<string> versions;
                try
                {
                    versions = await _invoker.SupportedVersionsAsync(plugin, cancellationToken);
                }
                catch (RuntimeException e)
                {
                    return new NetworkStatus(false, Reason, $"Network plugin returns error: {e.Message}");
                }

                if (!versions.Contains(CniConfigGenerator.CniVersion))
                {
                    return new NetworkStatus(false, Reason, $"Network plugin returns error: CNI plugin {plugin} supports spec versions {string.Join(", ", versions)}, not {CniConfigGenerator.CniVersion}");
                }
            }

            _pluginVersionsChecked = true;
        }

        return NetworkStatus.ReadyStatus;
    }

    /// <summary>DEL of both networks (reverse of ADD), then the pin, then the state; the state goes last so a failure can be retried.</summary>
    private async Task TearDownCoreAsync(PodNetworkState state, CancellationToken cancellationToken)
    {
        // A vanished namespace is announced with an empty CNI_NETNS, as the spec allows for DEL.
        var netns = File.Exists(state.NetnsPath) ? state.NetnsPath : "";
        var podNetwork = CniNetworkConfigList.Parse(state.PodNetworkConfig.ToJsonString());
        try
        {
            await _invoker.DeleteNetworkListAsync(podNetwork, ArgsFor(state, netns, state.InterfaceName), state.RuntimeConfig, state.Result, cancellationToken);
            if (state.LoopbackConfig is { } loopbackConfig)
            {
                // A sandbox set up before lo was brought up in-process: DEL it with the plugin that added it.
                var loopback = CniNetworkConfigList.Parse(loopbackConfig.ToJsonString());
                await _invoker.DeleteNetworkListAsync(loopback, ArgsFor(state, netns, LoopbackInterface), state.RuntimeConfig, null, cancellationToken);
            }
            if (netns.Length == 0 && state.Addresses.Count > 0 && BridgeMasqueradeCleanup.Applies(podNetwork))
            {
                await _masquerade.RemoveAsync(podNetwork.Name, state.SandboxId, state.Addresses.Select(IPAddress.Parse), cancellationToken);
            }
        }
        catch (RuntimeException e)
        {
            throw new RuntimeException(e.Kind, $"tear down network of sandbox {state.SandboxId}: {e.Message}", e);
        }

        NetnsPinner.Remove(state.SandboxId);
        _store.Delete(state.SandboxId);
    }

    private async Task RollBackAsync(PodNetworkState state)
    {
        using var cleanup = new CancellationTokenSource(CleanupTimeout);
        try
        {
            await TearDownCoreAsync(state, cleanup.Token);
        }
        catch (Exception e) when (e is RuntimeException or OperationCanceledException or IOException)
        {
            // The state stays on disk, so a later TearDown (the caller's cleanup, or after a restart) can finish.
            CniPodNetworkLog.RollBackFailed(_logger, state.SandboxId, e.Message);
        }
    }

    private static PodNetworkResult ResultOf(PodNetworkState state)
        => new(state.NetnsPath, state.Addresses.Select(IPAddress.Parse).ToList(), state.InterfaceName);

    private static CniRuntimeArgs ArgsFor(PodNetworkState state, string netns, string interfaceName)
        => new(state.SandboxId, netns, interfaceName, state.CniArgs);

    private static List<KeyValuePair<string, string>> CniArgsFor(PodNetworkRequest request)
    {
        // IgnoreUnknown: plugins reject CNI_ARGS keys they do not know unless told otherwise.
        var args = new List<KeyValuePair<string, string>>
        {
            new("IgnoreUnknown", "1"),
            new("K8S_POD_NAMESPACE", request.PodNamespace),
            new("K8S_POD_NAME", request.PodName),
            new("K8S_POD_INFRA_CONTAINER_ID", request.SandboxId),
            new("K8S_POD_UID", request.PodUid),
        };
        foreach (var (key, value) in args)
        {
            if (value.Length == 0 || value.Any(c => c is ';' or '=' || char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                throw new RuntimeException(RuntimeErrorKind.Invalid, $"set up network of sandbox {request.SandboxId}: {key} \"{value}\" is empty or contains ';', '=' or whitespace");
            }
        }

        return args;
    }

    private static IReadOnlyList<PortMapping> ValidatePortMappings(PodNetworkRequest request)
    {
        var mappings = request.PortMappings ?? [];
        foreach (var mapping in mappings)
        {
            if (mapping.Protocol.ToLowerInvariant() is not ("tcp" or "udp" or "sctp")
                || mapping.ContainerPort is < 1 or > 65535
                || mapping.HostPort is < 0 or > 65535
                || (!string.IsNullOrEmpty(mapping.HostIp) && !IPAddress.TryParse(mapping.HostIp, out _)))
            {
                throw new RuntimeException(RuntimeErrorKind.Invalid, $"set up network of sandbox {request.SandboxId}: invalid port mapping {mapping}");
            }
        }

        return mappings;
    }

    /// <summary>The CNI container-id rule, which also makes the id a safe netns and file name.</summary>
    private static void ValidateSandboxId(string sandboxId)
    {
        ArgumentNullException.ThrowIfNull(sandboxId);
        if (sandboxId.Length is 0 or > 200
            || !char.IsAsciiLetterOrDigit(sandboxId[0])
            || sandboxId.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-')))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"pod network: sandbox id \"{sandboxId}\" must start with a letter or digit and contain only letters, digits, '_', '.' or '-'");
        }
    }

    private static bool IsExecutable(string path)
    {
        try
        {
            return File.Exists(path)
                && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
