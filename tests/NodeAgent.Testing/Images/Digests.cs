using System.Security.Cryptography;

namespace NodeAgent.Testing.Images;

/// <summary>OCI content digests ("sha256:&lt;hex&gt;").</summary>
public static class Digests
{
    public const string Sha256Prefix = "sha256:";

    public static string Sha256(ReadOnlySpan<byte> content) => Sha256Prefix + Convert.ToHexStringLower(SHA256.HashData(content));

    public static async Task<string> Sha256Async(Stream content, CancellationToken cancellationToken)
        => Sha256Prefix + Convert.ToHexStringLower(await SHA256.HashDataAsync(content, cancellationToken).ConfigureAwait(false));

    /// <summary>The hex part of a sha256 digest, which is also its file name under blobs/sha256/.</summary>
    public static string Hex(string digest)
    {
        if (!digest.StartsWith(Sha256Prefix, StringComparison.Ordinal) || digest.Length != Sha256Prefix.Length + 64)
        {
            throw new ArgumentException($"'{digest}' is not a sha256 digest.", nameof(digest));
        }

        return digest[Sha256Prefix.Length..];
    }
}
