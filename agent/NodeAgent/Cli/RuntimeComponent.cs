using NodeAgent.Configuration;
using NodeAgent.Runtime.Server;

namespace NodeAgent.Cli;

/// <summary>
/// The built-in CRI runtime, in-process, exactly as <c>nodeagent cri</c> runs it, on <c>unix://&lt;run-dir&gt;/cri.sock</c>
/// with the node's /24 of --pod-cidr. Disposing stops serving but leaves pods running (the next start adopts them).
/// </summary>
internal sealed class RuntimeComponent : IServerComponent
{
    private CriServer? _server;

    public string Name => "cri-runtime";

    public static string Endpoint(NodeAgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return "unix://" + Path.Combine(options.RunDir, ServerComponents.CriSocketName);
    }

    public async Task StartAsync(ServerEnvironment environment, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var options = environment.Options;
        var runtimeOptions = CriCommand.ToRuntimeOptions(options) with
        {
            ListenSocket = Path.Combine(options.RunDir, ServerComponents.CriSocketName),
            PodCidr = ServerComponents.NodePodCidr(options.PodCidr).ToString(),
        };
        Directory.CreateDirectory(options.RunDir);
        _server = await CriServer.StartAsync(runtimeOptions, environment.LoggerFactory, ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }
}
