using System.Threading.Channels;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace NodeAgent.Controllers.Machinery;

/// <summary>
/// Writes core/v1 Events through the API in the background (recording never blocks a sync), aggregated by
/// <see cref="EventAggregator"/>. A full buffer drops the oldest event, as client-go's broadcaster does.
/// </summary>
public sealed partial class EventRecorder : IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly EventAggregator _aggregator;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<EventRecord> _pending = Channel.CreateBounded<EventRecord>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    public EventRecorder(IKubernetes client, EventSource source, TimeProvider time, ILogger logger)
    {
        _client = client;
        _aggregator = new EventAggregator(source);
        _time = time;
        _logger = logger;
        _run = Task.Run(() => RunAsync(_stop.Token));
    }

    public static V1ObjectReference Reference(V1Pod pod, string? fieldPath = null)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return new V1ObjectReference
        {
            ApiVersion = "v1",
            Kind = "Pod",
            NamespaceProperty = pod.Metadata.NamespaceProperty,
            Name = pod.Metadata.Name,
            Uid = pod.Metadata.Uid,
            ResourceVersion = pod.Metadata.ResourceVersion,
            FieldPath = fieldPath,
        };
    }

    public void Record(V1ObjectReference involvedObject, string type, string reason, string message)
        => _pending.Writer.TryWrite(new EventRecord(involvedObject, type, reason, message, _time.GetUtcNow().UtcDateTime));

    /// <summary>Writes what is buffered, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        using (var drain = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _run.WaitAsync(drain.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await foreach (var record in _pending.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await WriteAsync(record, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Events are best effort, as upstream: log and go on.
                LogWriteFailed(_logger, record.Reason, record.InvolvedObject.Name, e);
            }
        }
    }

    private async Task WriteAsync(EventRecord record, CancellationToken cancellationToken)
    {
        switch (_aggregator.Next(record))
        {
            case EventWrite.Create create:
                await _client.CoreV1.CreateNamespacedEventAsync(create.Event, create.Event.Metadata.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            case EventWrite.Bump bump:
                var patch = new V1Patch(
                    KubernetesJson.Serialize(new Dictionary<string, object> { ["count"] = bump.Count, ["lastTimestamp"] = bump.LastTimestamp, ["message"] = bump.Message }),
                    V1Patch.PatchType.MergePatch);
                try
                {
                    await _client.CoreV1.PatchNamespacedEventAsync(patch, bump.Name, bump.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (ApiErrors.IsNotFound(e))
                {
                    _aggregator.Forget(record);
                    await WriteAsync(record, cancellationToken).ConfigureAwait(false);
                }

                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write event {Reason} for {Name}")]
    private static partial void LogWriteFailed(ILogger logger, string reason, string name, Exception exception);
}
