using NodeAgent.Api.Registry.Listing;

namespace NodeAgent.Api.Hosting;

/// <summary>Process-wide set-up of the KubernetesClient serializer, shared by the API and the in-process clients.</summary>
public static class ModelSerialization
{
    /// <summary>Puts the served kinds' generated JSON metadata first; call before anything serializes a model.</summary>
    public static void UseServedModelsContext() => _ = KubernetesJsonOptions.Options;
}
