using System.Text.Json;
using System.Text.Json.Nodes;

namespace NodeAgent.Testing.Kubectl;

/// <summary>
/// Writes a minimal one-cluster kubeconfig for tests. kubectl reads JSON as YAML, so no YAML
/// library is needed. Written 0600 like a real admin kubeconfig because it may hold a token.
/// </summary>
public static class KubeconfigFile
{
    public const string ContextName = "test";

    public static void Write(string path, Uri server, string? token = null, bool insecureSkipTlsVerify = false)
    {
        ArgumentNullException.ThrowIfNull(server);
        var cluster = new JsonObject { ["server"] = server.ToString().TrimEnd('/') };
        if (insecureSkipTlsVerify)
        {
            cluster["insecure-skip-tls-verify"] = true;
        }

        var user = new JsonObject();
        if (token is not null)
        {
            user["token"] = token;
        }

        var config = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Config",
            ["clusters"] = new JsonArray(new JsonObject { ["name"] = ContextName, ["cluster"] = cluster }),
            ["users"] = new JsonArray(new JsonObject { ["name"] = ContextName, ["user"] = user }),
            ["contexts"] = new JsonArray(new JsonObject
            {
                ["name"] = ContextName,
                ["context"] = new JsonObject { ["cluster"] = ContextName, ["user"] = ContextName },
            }),
            ["current-context"] = ContextName,
        };

        File.WriteAllText(path, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
