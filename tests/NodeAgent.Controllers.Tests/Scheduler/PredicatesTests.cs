using k8s.Models;
using NodeAgent.Controllers.Scheduler;
using static NodeAgent.Controllers.Tests.Scheduler.SchedulerObjects;

namespace NodeAgent.Controllers.Tests.Scheduler;

public sealed class PredicatesTests
{
    public static TheoryData<string, V1Pod, V1Node, V1Pod[], string[]> Cases => new()
    {
        { "fits", Pod("p", "500m", "1Gi"), SchedulerObjects.Node("n"), [], [] },
        { "insufficient cpu", Pod("p", "3"), SchedulerObjects.Node("n"), [], ["Insufficient cpu"] },
        { "insufficient cpu and memory", Pod("p", "3", "5Gi"), SchedulerObjects.Node("n"), [], ["Insufficient cpu", "Insufficient memory"] },
        { "other pods use the room", Pod("p", "1"), SchedulerObjects.Node("n"), [Pod("o", "1500m", nodeName: "n")], ["Insufficient cpu"] },
        { "exactly full still fits", Pod("p", "1"), SchedulerObjects.Node("n"), [Pod("o", "1", nodeName: "n")], [] },
        { "best-effort pod only needs a pod slot", Pod("p"), SchedulerObjects.Node("n", pods: "1"), [Pod("o", nodeName: "n")], ["Too many pods"] },
        { "unschedulable node", Pod("p"), Unschedulable(SchedulerObjects.Node("n")), [], [Predicates.ReasonUnschedulable] },
        { "unschedulable tolerated", Tolerating(Pod("p"), new V1Toleration { Key = Taints.Unschedulable, OperatorProperty = "Exists", Effect = "NoSchedule" }), Unschedulable(SchedulerObjects.Node("n")), [], [] },
        { "not-ready node is tainted", Pod("p"), SchedulerObjects.Node("n", ready: false), [], ["node(s) had untolerated taint {node.kubernetes.io/not-ready: }"] },
        { "NoSchedule taint", Pod("p"), Tainted(SchedulerObjects.Node("n"), "dedicated", "gpu", "NoSchedule"), [], ["node(s) had untolerated taint {dedicated: gpu}"] },
        { "NoExecute taint", Pod("p"), Tainted(SchedulerObjects.Node("n"), "dedicated", "gpu", "NoExecute"), [], ["node(s) had untolerated taint {dedicated: gpu}"] },
        { "PreferNoSchedule never filters", Pod("p"), Tainted(SchedulerObjects.Node("n"), "dedicated", "gpu", "PreferNoSchedule"), [], [] },
        { "taint tolerated by Equal", Tolerating(Pod("p"), new V1Toleration { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" }), Tainted(SchedulerObjects.Node("n"), "dedicated", "gpu", "NoSchedule"), [], [] },
        { "taint not tolerated by another value", Tolerating(Pod("p"), new V1Toleration { Key = "dedicated", Value = "cpu" }), Tainted(SchedulerObjects.Node("n"), "dedicated", "gpu", "NoSchedule"), [], ["node(s) had untolerated taint {dedicated: gpu}"] },
        { "empty key Exists tolerates everything", Tolerating(Pod("p"), new V1Toleration { OperatorProperty = "Exists" }), Tainted(SchedulerObjects.Node("n"), "dedicated", "gpu", "NoExecute"), [], [] },
        { "node selector matches", Selecting(Pod("p"), "kubernetes.io/hostname", "n"), SchedulerObjects.Node("n"), [], [] },
        { "node selector does not match", Selecting(Pod("p"), "disk", "ssd"), SchedulerObjects.Node("n"), [], [Predicates.ReasonNodeSelector] },
        { "required affinity In", Affinity(Pod("p"), "kubernetes.io/hostname", "In", "n", "m"), SchedulerObjects.Node("n"), [], [] },
        { "required affinity NotIn", Affinity(Pod("p"), "kubernetes.io/hostname", "NotIn", "n"), SchedulerObjects.Node("n"), [], [Predicates.ReasonNodeSelector] },
        { "host port free", Pod("p").WithHostPort(8080), SchedulerObjects.Node("n"), [Pod("o", nodeName: "n").WithHostPort(8081)], [] },
        { "host port taken", Pod("p").WithHostPort(8080), SchedulerObjects.Node("n"), [Pod("o", nodeName: "n").WithHostPort(8080)], [Predicates.ReasonHostPorts] },
        { "host port on another protocol", Pod("p").WithHostPort(53, protocol: "UDP"), SchedulerObjects.Node("n"), [Pod("o", nodeName: "n").WithHostPort(53)], [] },
        { "host port on distinct addresses", Pod("p").WithHostPort(80, "127.0.0.1"), SchedulerObjects.Node("n"), [Pod("o", nodeName: "n").WithHostPort(80, "127.0.0.2")], [] },
        { "host port on any address clashes", Pod("p").WithHostPort(80, "127.0.0.1"), SchedulerObjects.Node("n"), [Pod("o", nodeName: "n").WithHostPort(80)], [Predicates.ReasonHostPorts] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Filter_gives_upstream_reasons(string name, V1Pod pod, V1Node node, V1Pod[] onNode, string[] reasons)
    {
        var actual = Predicates.Filter(pod, new NodeInfo(node, onNode));
        Assert.True(reasons.SequenceEqual(actual), $"{name}: got [{string.Join(", ", actual)}]");
    }

    private static V1Node Unschedulable(V1Node node)
    {
        node.Spec.Unschedulable = true;
        return node;
    }

    private static V1Node Tainted(V1Node node, string key, string value, string effect)
    {
        node.Spec.Taints = [new V1Taint { Key = key, Value = value, Effect = effect }];
        return node;
    }

    private static V1Pod Tolerating(V1Pod pod, V1Toleration toleration)
    {
        pod.Spec.Tolerations = [toleration];
        return pod;
    }

    private static V1Pod Selecting(V1Pod pod, string key, string value)
    {
        pod.Spec.NodeSelector = new Dictionary<string, string> { [key] = value };
        return pod;
    }

    private static V1Pod Affinity(V1Pod pod, string key, string op, params string[] values)
    {
        pod.Spec.Affinity = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                {
                    NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = key, OperatorProperty = op, Values = values }] }],
                },
            },
        };
        return pod;
    }
}
