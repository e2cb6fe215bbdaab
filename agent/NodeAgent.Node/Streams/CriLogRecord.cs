using System.Globalization;
using System.Text;

namespace NodeAgent.Node.Streams;

/// <summary>
/// One line of a CRI log file: <c>TIMESTAMP STREAM P|F CONTENT</c> (RFC 3339 with nanoseconds, <c>stdout</c>/<c>stderr</c>,
/// <c>P</c> for a partial line that the next record continues, <c>F</c> for a full one).
/// </summary>
public readonly record struct CriLogRecord(DateTimeOffset Time, string TimeText, string Stream, bool Partial, ReadOnlyMemory<byte> Content)
{
    /// <summary>Parses one line without its newline; null for a line that is not in CRI format (skipped, as kubelet does).</summary>
    public static CriLogRecord? Parse(ReadOnlyMemory<byte> line)
    {
        var span = line.Span;
        var first = span.IndexOf((byte)' ');
        if (first <= 0)
        {
            return null;
        }

        var second = span[(first + 1)..].IndexOf((byte)' ');
        if (second <= 0)
        {
            return null;
        }

        second += first + 1;
        var timeText = Encoding.ASCII.GetString(span[..first]);
        if (!DateTimeOffset.TryParse(timeText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return null;
        }

        var stream = Encoding.ASCII.GetString(span[(first + 1)..second]);
        var rest = line[(second + 1)..];
        var tagEnd = rest.Span.IndexOf((byte)' ');
        var tag = tagEnd < 0 ? rest.Span : rest.Span[..tagEnd];
        var content = tagEnd < 0 ? ReadOnlyMemory<byte>.Empty : rest[(tagEnd + 1)..];
        return new CriLogRecord(time, timeText, stream, tag.SequenceEqual("P"u8), content);
    }

    /// <summary>
    /// The timestamp as kubelet prints it for <c>--timestamps</c>: Go's RFC3339Nano in UTC (<c>Z</c>, trailing zeros of the
    /// fraction dropped), keeping the file's nanoseconds when it is already in UTC.
    /// </summary>
    public string FormatTimestamp()
    {
        var utc = Time.UtcDateTime;
        var fraction = Time.Offset == TimeSpan.Zero && TimeText.IndexOf('.', StringComparison.Ordinal) is var dot and >= 0
            ? new string(TimeText[(dot + 1)..].TakeWhile(char.IsAsciiDigit).ToArray())
            : utc.ToString("fffffff", CultureInfo.InvariantCulture);
        fraction = fraction.TrimEnd('0');
        var seconds = utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        return fraction.Length == 0 ? seconds + "Z" : $"{seconds}.{fraction}Z";
    }
}
