using System.Globalization;

namespace NodeAgent.Api.Tests.Fixtures;

/// <summary>Realistic objects for the tests, as JSON (placeholders NAME, REPLICAS, IMAGE, SPEC, META).</summary>
public static class Manifests
{
    public static string Deployment(string name, int replicas, string image = "nginx:1.27") => """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"NAME","labels":{"app":"NAME"}},
         "spec":{"replicas":REPLICAS,"selector":{"matchLabels":{"app":"NAME"}},
          "template":{"metadata":{"labels":{"app":"NAME"}},
           "spec":{"containers":[{"name":"web","image":"IMAGE","ports":[{"containerPort":80}]}]}}}}
        """.Replace("NAME", name, StringComparison.Ordinal)
        .Replace("REPLICAS", replicas.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("IMAGE", image, StringComparison.Ordinal);

    public static string Pod(string name, string? nodeName = null, string extraMetadata = "") => """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"NAME"META},
         "spec":{SPEC"containers":[{"name":"app","image":"busybox:1.36","command":["sleep","3600"]}]}}
        """.Replace("NAME", name, StringComparison.Ordinal)
        .Replace("META", extraMetadata, StringComparison.Ordinal)
        .Replace("SPEC", nodeName is null ? "" : $"\"nodeName\":\"{nodeName}\",", StringComparison.Ordinal);
}
