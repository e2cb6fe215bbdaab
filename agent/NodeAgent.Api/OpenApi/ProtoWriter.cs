using System.Text;

namespace NodeAgent.Api.OpenApi;

/// <summary>
/// Just enough of the protobuf wire format (proto3: varints, length-delimited strings and messages,
/// defaults omitted) to write gnostic's <c>openapi.v2.Document</c>. Everything goes into one growing
/// buffer: a nested message reserves the longest length prefix, is written in place, and is moved
/// back over the unused prefix bytes once its length is known (no buffer per message).
/// </summary>
internal sealed class ProtoWriter
{
    private const int MaxLengthPrefix = 5; // a varint of up to 2^35 - 1 bytes

    private byte[] _buffer = new byte[64 * 1024];
    private int _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public void String(int field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        Tag(field, wireType: 2);
        var length = Encoding.UTF8.GetByteCount(value);
        Varint((ulong)length);
        Ensure(length);
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
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
        Tag(field, wireType: 2);
        Ensure(MaxLengthPrefix);
        var prefixAt = _length;
        _length += MaxLengthPrefix;
        write(this);

        var contentLength = _length - prefixAt - MaxLengthPrefix;
        Span<byte> prefix = stackalloc byte[MaxLengthPrefix];
        var prefixLength = EncodeVarint((ulong)contentLength, prefix);
        if (prefixLength < MaxLengthPrefix)
        {
            _buffer.AsSpan(prefixAt + MaxLengthPrefix, contentLength).CopyTo(_buffer.AsSpan(prefixAt + prefixLength));
            _length -= MaxLengthPrefix - prefixLength;
        }

        prefix[..prefixLength].CopyTo(_buffer.AsSpan(prefixAt));
    }

    private void Tag(int field, int wireType) => Varint(((ulong)field << 3) | (uint)wireType);

    private void Varint(ulong value)
    {
        Ensure(10);
        _length += EncodeVarint(value, _buffer.AsSpan(_length));
    }

    private static int EncodeVarint(ulong value, Span<byte> destination)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    private void Ensure(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }
    }
}
