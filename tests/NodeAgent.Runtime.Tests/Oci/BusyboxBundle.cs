using System.Text.Json.Nodes;
using NodeAgent.Runtime.Common.Processes;

namespace NodeAgent.Runtime.Tests.Oci;

/// <summary>An OCI bundle whose rootfs is the host's static busybox, with runc's default spec adjusted per test.</summary>
internal static class BusyboxBundle
{
    public static async Task<string> CreateAsync(string directory, IReadOnlyList<string> args, CancellationToken cancellationToken, Action<JsonObject>? adjust = null)
    {
        var bin = Path.Combine(directory, "rootfs", "bin");
        Directory.CreateDirectory(bin);
        File.Copy("/bin/busybox", Path.Combine(bin, "busybox"));
        foreach (var applet in new[] { "sh", "echo", "sleep", "cat", "id", "trap" })
        {
            File.CreateSymbolicLink(Path.Combine(bin, applet), "busybox");
        }

        var result = await ProcessRunner.Instance.RunAsync(new ProcessSpec("runc", ["spec", "--bundle", directory]), cancellationToken);
        Assert.True(result.Succeeded, result.StandardError);
        var path = Path.Combine(directory, "config.json");
        var spec = JsonNode.Parse(await File.ReadAllTextAsync(path, cancellationToken))!.AsObject();
        var process = spec["process"]!.AsObject();
        process["terminal"] = false;
        process["args"] = new JsonArray(args.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray());
        // This machine refuses rlimits above the current hard limit (DESIGN.md §7).
        process.Remove("rlimits");
        adjust?.Invoke(spec);
        await File.WriteAllTextAsync(path, spec.ToJsonString(), cancellationToken);
        return directory;
    }
}
