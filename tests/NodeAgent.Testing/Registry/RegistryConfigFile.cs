using System.Security.Cryptography;
using System.Text.Json;

namespace NodeAgent.Testing.Registry;

/// <summary>
/// Writes the docker-registry config. It is JSON, which is valid YAML, so no YAML library is
/// needed. Only the one HTTP listener on 127.0.0.1 is configured: no debug/metrics listener
/// (distribution starts it only when <c>http.debug.addr</c> is set), no notifications, no redis.
/// </summary>
internal static class RegistryConfigFile
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task WriteAsync(
        string path, int port, string storageDirectory, string? htpasswdPath, CancellationToken cancellationToken)
    {
        var config = new Dictionary<string, object>
        {
            ["version"] = "0.1",
            ["log"] = new { level = "info", formatter = "text", accesslog = new { disabled = true } },
            ["storage"] = new
            {
                filesystem = new { rootdirectory = storageDirectory },
                delete = new { enabled = true },
                maintenance = new { uploadpurging = new { enabled = false } },
            },
            ["http"] = new
            {
                addr = $"127.0.0.1:{port}",
                // A fixed secret silences the "generated random secret" warning and keeps uploads consistent.
                secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
                headers = new Dictionary<string, string[]> { ["X-Content-Type-Options"] = ["nosniff"] },
            },
        };
        if (htpasswdPath is not null)
        {
            config["auth"] = new { htpasswd = new { realm = "nodeagent-test", path = htpasswdPath } };
        }

        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(config, Indented), cancellationToken).ConfigureAwait(false);
    }
}
