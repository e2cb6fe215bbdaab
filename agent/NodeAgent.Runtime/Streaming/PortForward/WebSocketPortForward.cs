using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Streaming.WebSockets;

namespace NodeAgent.Runtime.Streaming.PortForward;

/// <summary>
/// Port-forward over a websocket (<c>v4.channel.k8s.io</c>, <c>portforward.k8s.io</c>): the ports come
/// from the <c>port</c> query parameters; port i uses channel 2i for data and 2i+1 for errors, and
/// the first message the server sends on each is the port as 2 bytes little-endian. One connection per
/// port; the websocket closes once every forward ended.
/// </summary>
internal static class WebSocketPortForward
{
    public const string ProtocolV4 = "v4.channel.k8s.io";
    public const string ProtocolV1 = "portforward.k8s.io";

    public static readonly string[] Protocols = [ProtocolV4, ProtocolV1];

    public static async Task RunAsync(WebSocketChannels channels, PodPortForwarder forwarder, string sandboxId, IReadOnlyList<int> ports, CancellationToken cancellationToken)
    {
        var inputs = ports.Select(_ => new Pipe()).ToArray();
        var reader = channels.ReadAsync(
            async (channel, data) =>
            {
                var index = channel / 2;
                if (channel % 2 == 0 && index < inputs.Length)
                {
                    await inputs[index].Writer.WriteAsync(data, cancellationToken);
                }
            },
            cancellationToken).ContinueWith(_ => Array.ForEach(inputs, p => p.Writer.Complete()), TaskScheduler.Default);

        var forwards = ports.Select(async (port, i) =>
        {
            var data = (byte)(2 * i);
            var error = (byte)(2 * i + 1);
            var prefix = new byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(prefix, (ushort)port);
            await channels.SendAsync(data, prefix, cancellationToken);
            await channels.SendAsync(error, prefix, cancellationToken);
            try
            {
                await forwarder.ForwardAsync(sandboxId, port, inputs[i].Reader.AsStream(), channels.OutputStream(data), cancellationToken);
            }
            catch (RuntimeException e)
            {
                await channels.SendAsync(error, Encoding.UTF8.GetBytes(e.Message), cancellationToken);
            }
        });
        await Task.WhenAll(forwards);
        await channels.CloseAsync(cancellationToken);
        await reader;
    }
}
