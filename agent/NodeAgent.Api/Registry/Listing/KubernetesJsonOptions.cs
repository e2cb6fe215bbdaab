using System.Text.Json;
using k8s;

namespace NodeAgent.Api.Registry.Listing;

/// <summary>The KubernetesClient serializer settings, for (de)serialising models of a type known only at run time.</summary>
internal static class KubernetesJsonOptions
{
    private static readonly Lazy<JsonSerializerOptions> Captured = new(() =>
    {
        JsonSerializerOptions? options = null;

        // AddJsonOptions hands out the client's own instance; reading it changes nothing.
        KubernetesJson.AddJsonOptions(o => options = o);
        return options!;
    });

    public static JsonSerializerOptions Options => Captured.Value;
}
