using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace NodeAgent.Runtime.Images;

/// <summary>sha256 digests (the only algorithm we store) and OCI chain IDs.</summary>
public static partial class Digests
{
    public const string Sha256Prefix = "sha256:";

    public static string Sha256(ReadOnlySpan<byte> content) => Sha256Prefix + Convert.ToHexStringLower(SHA256.HashData(content));

    public static bool IsValid(string? digest) => digest is not null && Sha256Pattern().IsMatch(digest);

    /// <summary>The hex part, validated, so it is safe to use as a file name.</summary>
    public static string Hex(string digest)
        => IsValid(digest) ? digest[Sha256Prefix.Length..] : throw new FormatException($"invalid digest '{digest}' (expected sha256:<64 hex>)");

    /// <summary>OCI chain IDs: chain(1) = diff(1); chain(n) = sha256(chain(n-1) + " " + diff(n)).</summary>
    public static IReadOnlyList<string> ChainIds(IReadOnlyList<string> diffIds)
    {
        var chain = new List<string>(diffIds.Count);
        foreach (var diffId in diffIds)
        {
            chain.Add(chain.Count == 0 ? diffId : Sha256(Encoding.ASCII.GetBytes(chain[^1] + " " + diffId)));
        }

        return chain;
    }

    [GeneratedRegex("^sha256:[a-f0-9]{64}$")]
    private static partial Regex Sha256Pattern();
}
