using k8s.Models;
using NodeAgent.Node.Volumes;

namespace NodeAgent.Node.Tests;

/// <summary>Pods as an API server would hand them to the node: uid set, namespace defaulted.</summary>
internal static class TestPods
{
    public static V1Pod Pod(string name, params V1Container[] containers) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Uid = Guid.NewGuid().ToString() },
        Spec = new V1PodSpec { Containers = containers, NodeName = "node-1" },
    };

    public static V1Container Container(string name, string image, params string[] command) => new()
    {
        Name = name,
        Image = image,
        Command = command.Length > 0 ? command : null,
        ImagePullPolicy = "IfNotPresent",
    };

    public static Dictionary<string, ResourceQuantity> Resources(string? cpu = null, string? memory = null)
    {
        var map = new Dictionary<string, ResourceQuantity>();
        if (cpu is not null)
        {
            map["cpu"] = new ResourceQuantity(cpu);
        }

        if (memory is not null)
        {
            map["memory"] = new ResourceQuantity(memory);
        }

        return map;
    }
}

/// <summary>Stands in for the API server's ConfigMaps and Secrets (not for a runtime part).</summary>
internal sealed class InMemoryObjects : IPodObjectSource
{
    private readonly Dictionary<(string, string), V1ConfigMap> _configMaps = [];
    private readonly Dictionary<(string, string), V1Secret> _secrets = [];

    public InMemoryObjects Add(V1ConfigMap cm)
    {
        _configMaps[(cm.Metadata.NamespaceProperty ?? "default", cm.Metadata.Name)] = cm;
        return this;
    }

    public InMemoryObjects RemoveConfigMap(string name)
    {
        _configMaps.Remove(("default", name));
        return this;
    }

    public InMemoryObjects Add(V1Secret secret)
    {
        _secrets[(secret.Metadata.NamespaceProperty ?? "default", secret.Metadata.Name)] = secret;
        return this;
    }

    public static V1ConfigMap ConfigMap(string name, Dictionary<string, string> data) => new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" }, Data = data };

    public static V1Secret Secret(string name, Dictionary<string, string> data) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Data = data.ToDictionary(p => p.Key, p => System.Text.Encoding.UTF8.GetBytes(p.Value)),
    };

    public Task<V1ConfigMap?> GetConfigMapAsync(string namespaceName, string name, CancellationToken cancellationToken)
        => Task.FromResult(_configMaps.GetValueOrDefault((namespaceName, name)));

    public Task<V1Secret?> GetSecretAsync(string namespaceName, string name, CancellationToken cancellationToken)
        => Task.FromResult(_secrets.GetValueOrDefault((namespaceName, name)));

    /// <summary>Every TokenRequest made, in order.</summary>
    public List<ServiceAccountTokenRequest> TokenRequests { get; } = [];

    /// <summary>The token this fake issues: the request's account and pod, numbered, valid for the requested seconds from now.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public Task<IssuedToken> RequestServiceAccountTokenAsync(ServiceAccountTokenRequest request, CancellationToken cancellationToken)
    {
        TokenRequests.Add(request);
        var token = $"token-{request.ServiceAccount}-{request.PodName}-{TokenRequests.Count}";
        return Task.FromResult(new IssuedToken(token, Time.GetUtcNow().AddSeconds(request.ExpirationSeconds)));
    }
}

/// <summary>A clock the test moves by hand (only GetUtcNow is used by the code under test here).</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>Collects pod events for assertions.</summary>
internal sealed class RecordingEvents : IPodEventSink
{
    private readonly List<PodEvent> _events = [];

    public IReadOnlyList<PodEvent> Events
    {
        get
        {
            lock (_events)
            {
                return _events.ToList();
            }
        }
    }

    public void Publish(V1Pod pod, PodEvent podEvent)
    {
        lock (_events)
        {
            _events.Add(podEvent);
        }
    }
}
