using k8s.Models;

namespace NodeAgent.Controllers.Tests.Scheduler;

/// <summary>Pods and nodes for scheduler tests, built fluently.</summary>
internal static class SchedulerObjects
{
    public static V1Pod Pod(string name, string? cpu = null, string? memory = null, string? nodeName = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Uid = "uid-" + name },
        Spec = new V1PodSpec { NodeName = nodeName, Containers = [Container("c", cpu, memory)] },
        Status = new V1PodStatus { Phase = "Pending" },
    };

    public static V1Container Container(string name, string? cpu = null, string? memory = null, string? limitCpu = null) => new()
    {
        Name = name,
        Image = "busybox",
        Resources = new V1ResourceRequirements { Requests = Resources(cpu, memory), Limits = Resources(limitCpu, null) },
    };

    public static Dictionary<string, ResourceQuantity>? Resources(string? cpu, string? memory)
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

        return map.Count == 0 ? null : map;
    }

    public static V1Node Node(string name, string cpu = "2", string memory = "4Gi", string pods = "110", bool ready = true) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name } },
        Spec = new V1NodeSpec(),
        Status = new V1NodeStatus
        {
            Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory), ["pods"] = new(pods) },
            Conditions = [new V1NodeCondition { Type = "Ready", Status = ready ? "True" : "False" }],
        },
    };

    public static V1Pod WithHostPort(this V1Pod pod, int port, string? hostIP = null, string? protocol = null)
    {
        pod.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = port, HostPort = port, HostIP = hostIP, Protocol = protocol }];
        return pod;
    }
}
