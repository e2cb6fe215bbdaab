using System.Security.Cryptography;

namespace NodeAgent.Runtime.State;

/// <summary>Sandbox and container ids: 64 lower-case hex characters, like containerd's and CRI-O's.</summary>
public static class RuntimeIds
{
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static bool IsValid(string id) => id.Length == 64 && id.All(char.IsAsciiHexDigitLower);
}
