using System.Security.Cryptography;

namespace NodeAgent.Testing.Common;

/// <summary>
/// Unique, short names for everything a test creates on the host (bridges, netns, dirs), so
/// tests can run side by side and leak checks can find exactly what one test left behind.
/// Linux interface names are at most 15 bytes, so prefixes stay short.
/// </summary>
public static class TestIds
{
    /// <summary>A prefix like <c>nat3f9a2c</c>: "na" + "t" + 6 hex digits (9 chars).</summary>
    public static string NewPrefix() => "nat" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));

    /// <summary>
    /// A private /24 inside 10.200.0.0/13 that is unlikely to clash with another test's.
    /// Only used for bridges the test itself creates.
    /// </summary>
    public static string NewSubnet24()
    {
        var bytes = RandomNumberGenerator.GetBytes(2);
        return $"10.{200 + (bytes[0] % 8)}.{bytes[1]}.0/24";
    }
}
