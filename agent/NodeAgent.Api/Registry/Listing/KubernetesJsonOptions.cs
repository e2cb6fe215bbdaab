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
            // Settings are frozen by their first use; a process that serialized before installing keeps the client's
            // own resolvers, which give the same JSON (only the Native AOT publish, which drops them, needs ours).
            if (!o.IsReadOnly && !o.TypeInfoResolverChain.Contains(ServedModelsJsonContext.Default))
            {
                o.TypeInfoResolverChain.Insert(0, ServedModelsJsonContext.Default);
            }

            options = o;
        });
        return options!;
    });

    public static JsonSerializerOptions Options => Captured.Value;

    /// <summary>
    /// Puts the served kinds' generated metadata (<see cref="ServedModelsJsonContext"/>) first in the client's settings;
    /// called at the very start of the process, before anything serializes.
    /// </summary>
    public static void Install() => _ = Captured.Value;
}
