using NodeAgent.Api.Resources;
using NodeAgent.Api.Resources.Apps;
using NodeAgent.Api.Resources.Batch;
using NodeAgent.Api.Resources.Pods;

namespace NodeAgent.Api.Tests.Resources.Apps;

/// <summary>The workload kinds are served with their own strategies, not the generic one.</summary>
public sealed class WorkloadWiringTests
{
    [Theory]
    [InlineData("", "pods", typeof(PodStrategy))]
    [InlineData("apps", "deployments", typeof(DeploymentStrategy))]
    [InlineData("apps", "replicasets", typeof(ReplicaSetStrategy))]
    [InlineData("batch", "jobs", typeof(JobStrategy))]
    [InlineData("batch", "cronjobs", typeof(CronJobStrategy))]
    public void Resource_uses_its_strategy(string group, string plural, Type strategy)
    {
        // The strategies need nothing from the context; the store is never touched here.
        var context = NodeAgent.Api.Tests.Resources.Core.StrategyKit.UnitContext();
        var definition = BuiltinResources.All(context).Single(d => d.Group == group && d.Plural == plural);
        Assert.IsType(strategy, definition.Strategy);
    }
}
