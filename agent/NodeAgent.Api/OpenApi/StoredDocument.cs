using System.IO.Compression;
using System.Security.Cryptography;

namespace NodeAgent.Api.OpenApi;

/// <summary>
/// A serialized document kept gzip-compressed (kubectl always accepts gzip; the JSON is ~10× larger),
/// with upstream's ETag/hash: the uppercase hex SHA-512 of the JSON.
/// </summary>
internal sealed class StoredDocument
{
    private StoredDocument(byte[] gzip, int length, string hash)
    {
        Gzip = gzip;
        Length = length;
        Hash = hash;
    }

    public byte[] Gzip { get; }

    /// <summary>Length of the uncompressed JSON.</summary>
    public int Length { get; }

    public string Hash { get; }

    public static StoredDocument From(byte[] json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var hash = Convert.ToHexString(SHA512.HashData(json));
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(json);
        }

        return new StoredDocument(compressed.ToArray(), json.Length, hash);
    }

    /// <summary>The JSON itself, for the rare client that does not accept gzip.</summary>
    public byte[] Decompress()
    {
        var json = new byte[Length];
        using var gzip = new GZipStream(new MemoryStream(Gzip), CompressionMode.Decompress);
        gzip.ReadExactly(json);
        return json;
    }
}
