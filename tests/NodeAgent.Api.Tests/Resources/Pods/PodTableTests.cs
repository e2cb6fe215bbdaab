using k8s.Models;
using NodeAgent.Api.Resources.Pods;

namespace NodeAgent.Api.Tests.Resources.Pods;

/// <summary>The READY, STATUS and RESTARTS cells kubectl prints for representative pod states.</summary>
public sealed class PodTableTests
{
    private const string Created = "2026-11-28T11:00:00Z"; // an hour before Manifests.Now
    private const string TwoMinutesAgo = "2026-11-28T11:58:00Z";

    public static TheoryData<string, string, string, string, string> Cases => new()
    {
        {
            "running and ready",
            "{containers: [{name: a}]}",
            "{phase: Running, conditions: [{type: Ready, status: 'True'}], containerStatuses: [{name: a, ready: true, restartCount: 0, state: {running: {}}}]}",
            "1/1", "Running|0"
        },
        {
            "crash loop with the last restart's age",
            "{containers: [{name: a}]}",
            "{phase: Running, containerStatuses: [{name: a, ready: false, restartCount: 5, state: {waiting: {reason: CrashLoopBackOff}}, lastState: {terminated: {exitCode: 1, reason: Error, finishedAt: '" + TwoMinutesAgo + "'}}}]}",
            "0/1", "CrashLoopBackOff|5 (2m ago)"
        },
        {
            "pulling: ContainerCreating",
            "{containers: [{name: a}, {name: b}]}",
            "{phase: Pending, containerStatuses: [{name: a, ready: false, restartCount: 0, state: {waiting: {reason: ContainerCreating}}}, {name: b, ready: false, restartCount: 0, state: {waiting: {reason: ContainerCreating}}}]}",
            "0/2", "ContainerCreating|0"
        },
        {
            "first of two init containers running",
            "{initContainers: [{name: i1}, {name: i2}], containers: [{name: a}]}",
            "{phase: Pending, initContainerStatuses: [{name: i1, ready: false, restartCount: 0, state: {running: {}}}, {name: i2, ready: false, restartCount: 0, state: {waiting: {reason: PodInitializing}}}], containerStatuses: [{name: a, ready: false, restartCount: 0, state: {waiting: {reason: PodInitializing}}}]}",
            "0/1", "Init:0/2|0"
        },
        {
            "failed init container",
            "{initContainers: [{name: i1}], containers: [{name: a}]}",
            "{phase: Pending, initContainerStatuses: [{name: i1, ready: false, restartCount: 3, state: {terminated: {exitCode: 1, reason: Error}}, lastState: {terminated: {exitCode: 1, reason: Error, finishedAt: '" + TwoMinutesAgo + "'}}}]}",
            "0/1", "Init:Error|3 (2m ago)"
        },
        {
            "init container in crash loop",
            "{initContainers: [{name: i1}], containers: [{name: a}]}",
            "{phase: Pending, initContainerStatuses: [{name: i1, ready: false, restartCount: 2, state: {waiting: {reason: CrashLoopBackOff}}}]}",
            "0/1", "Init:CrashLoopBackOff|2"
        },
        {
            "completed",
            "{containers: [{name: a}]}",
            "{phase: Succeeded, containerStatuses: [{name: a, ready: false, restartCount: 0, state: {terminated: {exitCode: 0, reason: Completed}}}]}",
            "0/1", "Completed|0"
        },
        {
            "one container done, another running but pod not ready",
            "{containers: [{name: a}, {name: b}]}",
            "{phase: Running, conditions: [{type: Ready, status: 'False'}], containerStatuses: [{name: a, ready: true, restartCount: 0, state: {running: {}}}, {name: b, ready: false, restartCount: 0, state: {terminated: {exitCode: 0, reason: Completed}}}]}",
            "1/2", "NotReady|0"
        },
        {
            "exit code without reason",
            "{containers: [{name: a}]}",
            "{phase: Failed, containerStatuses: [{name: a, ready: false, restartCount: 0, state: {terminated: {exitCode: 2}}}]}",
            "0/1", "ExitCode:2|0"
        },
        {
            "not yet scheduled",
            "{containers: [{name: a}]}",
            "{phase: Pending}",
            "0/1", "Pending|0"
        },
        {
            "evicted: the pod's reason wins",
            "{containers: [{name: a}]}",
            "{phase: Failed, reason: Evicted}",
            "0/1", "Evicted|0"
        },
        {
            "sidecar counts towards READY",
            "{initContainers: [{name: proxy, restartPolicy: Always}], containers: [{name: a}]}",
            "{phase: Running, conditions: [{type: Initialized, status: 'True'}], initContainerStatuses: [{name: proxy, ready: true, started: true, restartCount: 1, state: {running: {}}}], containerStatuses: [{name: a, ready: true, restartCount: 0, state: {running: {}}}]}",
            "2/2", "Running|1"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Status_cells(string because, string spec, string status, string ready, string statusAndRestarts)
    {
        var pod = Manifests.Parse<V1Pod>($"metadata: {{name: p, creationTimestamp: '{Created}'}}\nspec: {spec}\nstatus: {status}");
        var cells = PodTable.Cells(pod, Manifests.Now);
        Assert.True(ready == (string?)cells[1], $"{because}: READY {cells[1]}");
        Assert.Equal(statusAndRestarts, $"{cells[2]}|{cells[3]}");
        Assert.Equal("60m", cells[4]);
    }

    [Fact]
    public void Terminating_overrides_running()
    {
        var pod = Manifests.Parse<V1Pod>($$"""
            metadata: {name: p, creationTimestamp: '{{Created}}', deletionTimestamp: '{{TwoMinutesAgo}}'}
            spec: {containers: [{name: a}]}
            status: {phase: Running, containerStatuses: [{name: a, ready: true, restartCount: 0, state: {running: {} } }]}
            """);
        Assert.Equal("Terminating", PodTable.Cells(pod, Manifests.Now)[2]);
    }

    [Fact]
    public void Wide_cells_and_column_names()
    {
        var pod = Manifests.Parse<V1Pod>($$"""
            metadata: {name: p, creationTimestamp: '{{Created}}'}
            spec: {nodeName: node-1, containers: [{name: a}], readinessGates: [{conditionType: example.com/ready}]}
            status: {phase: Running, podIP: 10.42.0.9, podIPs: [{ip: 10.42.0.9}], conditions: [{type: example.com/ready, status: 'True'} ]}
            """);
        var cells = PodTable.Cells(pod, Manifests.Now);
        Assert.Equal(new object?[] { "10.42.0.9", "node-1", "<none>", "1/1" }, cells.Skip(5));
        Assert.Equal(
            ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"],
            PodTable.Columns.Select(c => c.Name));
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1, 1], PodTable.Columns.Select(c => c.Priority));

        var unscheduled = Manifests.Parse<V1Pod>("metadata: {name: q}\nspec: {containers: [{name: a}]}");
        Assert.Equal(new object?[] { "<unknown>", "<none>", "<none>", "<none>", "<none>" }, PodTable.Cells(unscheduled, Manifests.Now).Skip(4));
    }
}
