using System.Text.Json.Nodes;
using NodeAgent.Api.Http;
using NodeAgent.Api.Registry;

namespace NodeAgent.Api.Hosting;

/// <summary>The namespaces every cluster has; created (idempotently) before the server reports it has started.</summary>
public static class SystemNamespaces
{
    public static IReadOnlyList<string> Names { get; } = ["default", "kube-system", "kube-public", "kube-node-lease"];

    public static async Task EnsureAsync(ResourceWriter writer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var namespaces = writer.Resources.Single(r => r.Group.Length == 0 && r.Plural == "namespaces");
        foreach (var name in Names)
        {
            if (await writer.GetAsync(namespaces, null, name, ct) is not null)
            {
                continue;
            }

            var obj = new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } };
            try
            {
                await writer.CreateAsync(namespaces, null, new Desired(obj), new WriteOptions(false, "nodeagent"), ct);
            }
            catch (ApiException e) when (e.Reason == "AlreadyExists")
            {
                // Another server on the same store made it first.
            }
        }
    }
}
