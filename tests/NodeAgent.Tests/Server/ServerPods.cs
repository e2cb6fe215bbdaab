using System.Text.Json;
using NodeAgent.Testing.Kubectl;

namespace NodeAgent.Tests.Server;

/// <summary>Small pods and kubectl waits the server tests share.</summary>
internal static class ServerPods
{
    /// <summary>A one-container pod named <c>main</c> with a 2 s grace period; <paramref name="resources"/> is a JSON flow map.</summary>
    public static string Yaml(string name, string image, string restartPolicy, string resources, params string[] command) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          namespace: default
        spec:
          restartPolicy: {restartPolicy}
          terminationGracePeriodSeconds: 2
          containers:
          - name: main
            image: {image}
            command: {JsonSerializer.Serialize(command)}
            resources: {resources}

        """;

    /// <summary><c>kubectl wait</c> for a condition (up to 120 s); on failure the assertion shows the server's log.</summary>
    public static async Task WaitAsync(KubectlRunner kubectl, ServerProcess server, string[] condition, CancellationToken ct)
    {
        var wait = await kubectl.RunAsync(["wait", .. condition, "--timeout=120s"], ct);
        Assert.True(wait.Succeeded, $"kubectl wait {string.Join(' ', condition)}: {wait.StandardError}\n{await server.ReadLogAsync(ct)}");
    }
}
