using System.Buffers;
using System.Text;

namespace NodeAgent.Api.OpenApi;

/// <summary>
/// Just enough of the protobuf wire format (proto3: varints, length-delimited strings and messages,
/// defaults omitted) to write gnostic's <c>openapi.v2.Document</c>. A nested message is written to
/// its own buffer first because its length prefix comes before it.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public void String(int field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        Tag(field, wireType: 2);
        var length = Encoding.UTF8.GetByteCount(value);
        Varint((ulong)length);
        var span = _buffer.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        _buffer.Advance(length);
    }

    public void Strings(int field, IEnumerable<string> values)
    {
        foreach (var value in values)
        {
            String(field, value);
        }
    }

    public void Bool(int field, bool value)
    {
        if (value)
        {
            Tag(field, wireType: 0);
            Varint(1);
        }
    }

    /// <summary>An embedded message, written even when empty (presence matters for oneof members).</summary>
    public void Message(int field, Action<ProtoWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var child = new ProtoWriter();
        write(child);
        Tag(field, wireType: 2);
        Varint((ulong)child._buffer.WrittenCount);
        _buffer.Write(child._buffer.WrittenSpan);
    }

    private void Tag(int field, int wireType) => Varint(((ulong)field << 3) | (uint)wireType);

    private void Varint(ulong value)
    {
        var span = _buffer.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        _buffer.Advance(i);
    }
}
