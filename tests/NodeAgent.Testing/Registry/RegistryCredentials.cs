using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace NodeAgent.Testing.Registry;

/// <summary>A registry user and password (basic auth).</summary>
public sealed record RegistryCredentials(string Username, string Password)
{
    /// <summary>A fresh user with a random password, so no two fixtures share secrets.</summary>
    public static RegistryCredentials Random()
        => new("nodeagent", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)));

    /// <summary>The <c>USER:PASSWORD</c> form skopeo's <c>--dest-creds</c>/<c>--src-creds</c> take.</summary>
    public string ToUserColonPassword() => $"{Username}:{Password}";

    public AuthenticationHeaderValue ToBasicAuthHeader()
        => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(ToUserColonPassword())));

    /// <summary>Keeps the password out of test output.</summary>
    public override string ToString() => $"{Username}:***";
}
