using k8s.Models;
using NodeAgent.Controllers.Scheduler;
using static NodeAgent.Controllers.Tests.Scheduler.SchedulerObjects;

namespace NodeAgent.Controllers.Tests.Scheduler;

public sealed class PodRequestsTests
{
    public static TheoryData<string, V1Pod, long, long> Cases => new()
    {
        { "one container", Pod("a", "250m", "64Mi"), 250, 64L << 20 },
        { "no requests", Pod("a"), 0, 0 },
        { "fractional cpu rounds up", Pod("a", "0.0001"), 1, 0 },
        { "containers add up", WithContainers(Pod("a", "100m", "10Mi"), Container("b", "200m", "20Mi")), 300, 30L << 20 },
        { "a limit without request counts as the request", WithContainers(Pod("a"), Container("b", null, null, limitCpu: "1")), 1000, 0 },
        { "init container bigger than the app wins", WithInit(Pod("a", "100m", "10Mi"), Container("init", "500m", "5Mi")), 500, 10L << 20 },
        { "sidecars add to the app and to later init containers", WithInit(Pod("a", "100m"), Sidecar("side", "200m"), Container("init", "250m")), 450, 0 },
        { "overhead is added", WithOverhead(Pod("a", "100m", "10Mi"), "50m", "1Mi"), 150, 11L << 20 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pod_requests_match_upstream(string name, V1Pod pod, long milliCpu, long memory)
    {
        var requests = PodRequests.Of(pod);
        Assert.True((milliCpu, memory) == (requests.MilliCpu, requests.Memory), $"{name}: got {requests}");
    }

    private static V1Pod WithContainers(V1Pod pod, params V1Container[] more)
    {
        pod.Spec.Containers = [.. pod.Spec.Containers, .. more];
        return pod;
    }

    private static V1Pod WithInit(V1Pod pod, params V1Container[] init)
    {
        pod.Spec.InitContainers = init;
        return pod;
    }

    private static V1Container Sidecar(string name, string cpu)
    {
        var c = Container(name, cpu);
        c.RestartPolicy = "Always";
        return c;
    }

    private static V1Pod WithOverhead(V1Pod pod, string cpu, string memory)
    {
        pod.Spec.Overhead = Resources(cpu, memory);
        return pod;
    }
}
