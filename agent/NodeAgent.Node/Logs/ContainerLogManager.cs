using Grpc.Core;
using Microsoft.Extensions.Logging;
using NodeAgent.Cri.V1;

namespace NodeAgent.Node.Logs;

/// <summary>
/// kubelet's container log manager: every <see cref="ContainerLogOptions.MonitorPeriod"/> it lists the running
/// containers through CRI, reads each one's log path from ContainerStatus and rotates the file once it reaches
/// <see cref="ContainerLogOptions.MaxSizeBytes"/> (see <see cref="ContainerLogRotator"/>), asking the runtime to reopen
/// it with ReopenContainerLog. Everything goes through CRI, so it works the same on our runtime and on containerd.
/// </summary>
public sealed partial class ContainerLogManager : IAsyncDisposable
{
    private readonly RuntimeService.RuntimeServiceClient _runtime;
    private readonly ContainerLogOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ContainerLogManager> _logger;
    private readonly ContainerLogRotator _rotator;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public ContainerLogManager(RuntimeService.RuntimeServiceClient runtime, ContainerLogOptions options, TimeProvider time, ILogger<ContainerLogManager> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _runtime = runtime;
        _options = options;
        _time = time;
        _logger = logger;
        _rotator = new ContainerLogRotator(options, time);
    }

    public void Start() => _loop ??= RunAsync(_stop.Token);

    /// <summary>One round over the running containers; returns how many logs it rotated. One container's failure does not stop the others.</summary>
    public async Task<int> RotateLogsAsync(CancellationToken cancellationToken)
    {
        var running = new ListContainersRequest { Filter = new ContainerFilter { State = new ContainerStateValue { State = ContainerState.ContainerRunning } } };
        var containers = (await _runtime.ListContainersAsync(running, cancellationToken: cancellationToken).ConfigureAwait(false)).Containers;
        var rotated = 0;
        foreach (var container in containers)
        {
            try
            {
                if (await RotateAsync(container.Id, cancellationToken).ConfigureAwait(false))
                {
                    rotated++;
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                // Removed since the listing: nothing left to rotate.
            }
            catch (Exception e) when (e is RpcException or IOException or UnauthorizedAccessException && !cancellationToken.IsCancellationRequested)
            {
                LogRotateFailed(_logger, container.Id, e);
            }
        }

        return rotated;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    private async Task<bool> RotateAsync(string id, CancellationToken cancellationToken)
    {
        var status = (await _runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id }, cancellationToken: cancellationToken).ConfigureAwait(false)).Status;
        if (status is null || status.State != ContainerState.ContainerRunning || string.IsNullOrEmpty(status.LogPath))
        {
            return false;
        }

        var done = await _rotator.RotateIfNeededAsync(
            status.LogPath,
            ct => _runtime.ReopenContainerLogAsync(new ReopenContainerLogRequest { ContainerId = id }, cancellationToken: ct).ResponseAsync,
            cancellationToken).ConfigureAwait(false);
        if (done)
        {
            LogRotated(_logger, id, status.LogPath);
        }

        return done;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(_options.MonitorPeriod, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await RotateLogsAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    // The loop boundary: the next period lists again.
                    LogRoundFailed(_logger, e);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException && cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rotated log {LogPath} of container {ContainerId}")]
    private static partial void LogRotated(ILogger logger, string containerId, string logPath);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Failed to rotate log for container {ContainerId}")]
    private static partial void LogRotateFailed(ILogger logger, string containerId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Container log rotation failed")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
