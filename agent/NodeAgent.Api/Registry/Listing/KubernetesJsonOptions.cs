using System.Text.Json;
using k8s;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Registry.Listing;

/// <summary>The KubernetesClient serializer settings, for (de)serialising models of a type known only at run time.</summary>
internal static class KubernetesJsonOptions
{
    private static readonly Lazy<JsonSerializerOptions> Captured = new(() =>
    {
        JsonSerializerOptions? options = null;

        // AddJsonOptions hands out the client's own instance, shared with every in-process client.
        KubernetesJson.AddJsonOptions(o =>
        {
            PutServedModelsFirst(o);
            options = o;
        });
        return options!;
    });

    /// <summary>The client's settings, with <see cref="ServedModelsJsonContext"/> first once the first read got to them in time.</summary>
    public static JsonSerializerOptions Options => Captured.Value;

    /// <summary>Puts the served kinds' generated metadata first, unless the settings are already in use.</summary>
    internal static void PutServedModelsFirst(JsonSerializerOptions options)
    {
        // Settings are frozen by their first use; a process that serialized before keeps the client's own resolvers,
        // which give the same JSON (only the Native AOT publish, which drops them, needs ours).
        if (!options.IsReadOnly && !options.TypeInfoResolverChain.Contains(ServedModelsJsonContext.Default))
        {
            options.TypeInfoResolverChain.Insert(0, ServedModelsJsonContext.Default);
        }
    }
}
