using System.Globalization;
using System.Net.Sockets;
using Grpc.Core;
using k8s.Models;
using NodeAgent.Cri.V1;

namespace NodeAgent.Node.Probes;

/// <summary>Runs one exec, httpGet or tcpSocket probe (also preStop handlers), with the probe's timeout.</summary>
public sealed class ProbeRunner(RuntimeService.RuntimeServiceClient runtime, HttpClient http)
{
    private const string UserAgent = "kube-probe/1.32";

    public async Task<ProbeResult> RunAsync(V1Probe probe, ProbeTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(target);
        var timeout = TimeSpan.FromSeconds(Math.Max(1, probe.TimeoutSeconds ?? 1));
        if (probe.Exec is { } exec)
        {
            return await ExecProbeAsync(target.ContainerId, exec.Command ?? [], timeout, cancellationToken).ConfigureAwait(false);
        }

        if (probe.HttpGet is { } get)
        {
            return await HttpGetAsync(get, target, timeout, cancellationToken).ConfigureAwait(false);
        }

        if (probe.TcpSocket is { } tcp)
        {
            return await TcpAsync(tcp.Host ?? target.PodIP, Port(tcp.Port, target.Container), timeout, cancellationToken).ConfigureAwait(false);
        }

        return ProbeResult.Fail("probe has no supported handler (exec, httpGet, tcpSocket)");
    }

    /// <summary>An exec lifecycle hook: a failure names the command and its exit code.</summary>
    public async Task<ProbeResult> ExecAsync(string containerId, IList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var outcome = await ExecSyncAsync(containerId, command, timeout, cancellationToken).ConfigureAwait(false);
        return outcome.ExitCode == 0
            ? ProbeResult.Ok(outcome.Output)
            : ProbeResult.Fail(outcome.Error ?? $"command {string.Join(' ', command)} exited with {outcome.ExitCode}: {outcome.Output}");
    }

    /// <summary>An exec probe: a failure is the command's output alone, as kubelet puts it after "Liveness probe failed: ".</summary>
    public async Task<ProbeResult> ExecProbeAsync(string containerId, IList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var outcome = await ExecSyncAsync(containerId, command, timeout, cancellationToken).ConfigureAwait(false);
        return outcome.ExitCode == 0 ? ProbeResult.Ok(outcome.Output) : ProbeResult.Fail(outcome.Error ?? outcome.Output);
    }

    private async Task<ExecOutcome> ExecSyncAsync(string containerId, IList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var response = await runtime.ExecSyncAsync(
                new ExecSyncRequest { ContainerId = containerId, Cmd = { command }, Timeout = (long)timeout.TotalSeconds },
                deadline: DateTime.UtcNow + timeout + TimeSpan.FromSeconds(5),
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return new ExecOutcome(response.ExitCode, response.Stdout.ToStringUtf8() + response.Stderr.ToStringUtf8(), null);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.DeadlineExceeded)
        {
            return new ExecOutcome(-1, string.Empty, $"command \"{string.Join(' ', command)}\" timed out");
        }
        catch (RpcException e)
        {
            return new ExecOutcome(-1, string.Empty, $"exec failed: {e.Status.Detail}");
        }
    }

    public async Task<ProbeResult> HttpGetAsync(V1HTTPGetAction get, ProbeTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(get);
        ArgumentNullException.ThrowIfNull(target);
        var host = string.IsNullOrEmpty(get.Host) ? target.PodIP : get.Host;
        if (string.IsNullOrEmpty(host))
        {
            return ProbeResult.Fail("no pod IP to probe");
        }

        var scheme = string.Equals(get.Scheme, "HTTPS", StringComparison.OrdinalIgnoreCase) ? "https" : "http";
        var path = string.IsNullOrEmpty(get.Path) ? "/" : get.Path.StartsWith('/') ? get.Path : "/" + get.Path;
        var hostPart = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        var uri = new Uri($"{scheme}://{hostPart}:{Port(get.Port, target.Container).ToString(CultureInfo.InvariantCulture)}{path}");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.TryAddWithoutValidation("Accept", "*/*");
        foreach (var header in get.HttpHeaders ?? [])
        {
            if (header.Name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Host = header.Value;
            }
            else
            {
                request.Headers.Remove(header.Name);
                request.Headers.TryAddWithoutValidation(header.Name, header.Value);
            }
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            return code is >= 200 and < 400 ? ProbeResult.Ok($"HTTP probe succeeded with statuscode: {code}") : ProbeResult.Fail($"HTTP probe failed with statuscode: {code}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Fail($"Get \"{uri}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
        }
        catch (HttpRequestException e)
        {
            return ProbeResult.Fail($"Get \"{uri}\": {e.Message}");
        }
    }

    public static async Task<ProbeResult> TcpAsync(string? host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(host))
        {
            return ProbeResult.Fail("no pod IP to probe");
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port, cts.Token).ConfigureAwait(false);
            return ProbeResult.Ok();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Fail($"dial tcp {host}:{port}: i/o timeout");
        }
        catch (SocketException e)
        {
            return ProbeResult.Fail($"dial tcp {host}:{port}: {e.Message}");
        }
    }

    /// <summary>A port by number or by the container's port name.</summary>
    public static int Port(k8s.Models.IntOrString port, V1Container container)
    {
        ArgumentNullException.ThrowIfNull(port);
        ArgumentNullException.ThrowIfNull(container);
        var text = port.Value;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        return container.Ports?.FirstOrDefault(p => p.Name == text)?.ContainerPort ?? throw new ArgumentException($"no port named {text} in container {container.Name}", nameof(port));
    }

    /// <summary>What one ExecSync gave: the exit code and combined output, or why it did not run to an exit.</summary>
    private sealed record ExecOutcome(int ExitCode, string Output, string? Error);
}
