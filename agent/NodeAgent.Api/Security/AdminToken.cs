using System.Buffers.Text;
using System.Security.Cryptography;

namespace NodeAgent.Api.Security;

/// <summary>The admin bearer token: 32 random bytes, base64url, generated once and kept 0600.</summary>
public static class AdminToken
{
    public const string User = "admin";

    /// <summary>Reads the token, or generates and stores one on first start (or when the file is empty).</summary>
    public static string LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var existing = Load(path);
        if (existing is not null)
        {
            return existing;
        }

        var token = Generate();
        PrivateFile.WriteAllText(path, token + "\n");
        return token;
    }

    /// <summary>The stored token, or null when there is none yet.</summary>
    public static string? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var token = File.ReadAllText(path).Trim();
        return token.Length == 0 ? null : token;
    }

    public static string Generate() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>What the admin token authenticates as: a superuser, like the admin client certificate.</summary>
    public static StaticToken Entry(string token) => new(token, User, User, [ApiGroups.Masters]);
}
