using k8s.Models;

namespace NodeAgent.Node;

/// <summary>An event about a pod (Pulling, Pulled, Created, Started, Killing, BackOff, Failed, Unhealthy …). Type is Normal or Warning.</summary>
public sealed record PodEvent(string Type, string Reason, string Message, string? FieldPath = null)
{
    public static PodEvent Normal(string reason, string message, string? fieldPath = null) => new("Normal", reason, message, fieldPath);

    public static PodEvent Warning(string reason, string message, string? fieldPath = null) => new("Warning", reason, message, fieldPath);
}

/// <summary>Where pod events go; the API wiring turns them into core/v1 Events.</summary>
public interface IPodEventSink
{
    void Publish(V1Pod pod, PodEvent podEvent);
}
