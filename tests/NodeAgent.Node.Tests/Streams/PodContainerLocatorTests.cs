using k8s.Models;
using NodeAgent.Node.Streams;

namespace NodeAgent.Node.Tests.Streams;

/// <summary>Which container a log or session is about, with kubelet's refusals.</summary>
public sealed class PodContainerLocatorTests
{
    [Fact]
    public void Logs_of_a_running_container_and_of_its_previous_attempt()
    {
        var pod = Pod(new V1ContainerStatus
        {
            Name = "main",
            ContainerID = "nodeagent://c2",
            State = new V1ContainerState { Running = new V1ContainerStateRunning() },
            LastState = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ContainerID = "nodeagent://c1", ExitCode = 1 } },
        });

        Assert.Equal("c2", PodContainerLocator.ForLogs(pod, "main", previous: false));
        Assert.Equal("c1", PodContainerLocator.ForLogs(pod, "main", previous: true));
        Assert.Equal("c2", PodContainerLocator.Running(pod, "main"));
    }

    [Fact]
    public void A_crash_looping_container_shows_its_last_attempt()
    {
        var pod = Pod(new V1ContainerStatus
        {
            Name = "main",
            State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff" } },
            LastState = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ContainerID = "nodeagent://c3" } },
        });

        Assert.Equal("c3", PodContainerLocator.ForLogs(pod, "main", previous: false));
        var exec = Assert.Throws<PodStreamException>(() => PodContainerLocator.Running(pod, "main"));
        Assert.Equal("container not found (\"main\")", exec.Message);
    }

    [Fact]
    public void Refusals_are_worded_as_kubelet_words_them()
    {
        var waiting = Pod(new V1ContainerStatus { Name = "main", State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ContainerCreating" } } });
        Assert.Equal("container \"main\" in pod \"p\" is waiting to start: ContainerCreating", Assert.Throws<PodStreamException>(() => PodContainerLocator.ForLogs(waiting, "main", false)).Message);
        Assert.Equal("previous terminated container \"main\" in pod \"p\" not found", Assert.Throws<PodStreamException>(() => PodContainerLocator.ForLogs(waiting, "main", true)).Message);
        Assert.Equal("container \"main\" in pod \"p\" is waiting to start - no logs yet", Assert.Throws<PodStreamException>(() => PodContainerLocator.ForLogs(Pod(), "main", false)).Message);
        var pulling = Pod(new V1ContainerStatus { Name = "main", State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ImagePullBackOff" } } });
        Assert.Equal("container \"main\" in pod \"p\" is waiting to start: trying and failing to pull image", Assert.Throws<PodStreamException>(() => PodContainerLocator.ForLogs(pulling, "main", false)).Message);
    }

    private static V1Pod Pod(params V1ContainerStatus[] statuses) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "default" },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "busybox" }] },
        Status = new V1PodStatus { ContainerStatuses = statuses },
    };
}
