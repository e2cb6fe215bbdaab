using k8s.Models;
using NodeAgent.Api.Resources.Cluster;
using static NodeAgent.Api.Tests.Resources.Core.StrategyKit;

namespace NodeAgent.Api.Tests.Resources.Cluster;

public sealed class LeaseStrategyTests
{
    private readonly LeaseStrategy _strategy = new();

    [Fact]
    public void HOLDER_is_the_holder_identity()
    {
        var lease = Yaml<V1Lease>("metadata: {name: n1, namespace: kube-node-lease}\nspec: {holderIdentity: n1, leaseDurationSeconds: 40}");
        lease.Metadata.CreationTimestamp = Now.UtcDateTime.AddMinutes(-1);
        Assert.Equal(["Name", "Holder", "Age"], _strategy.Columns.Select(c => c.Name));
        Assert.Equal(["n1", "n1", "60s"], _strategy.Cells(lease, Now));
        Assert.Equal("", _strategy.Cells(Yaml<V1Lease>("metadata: {name: free}"), Now)[1]);
    }

    [Fact]
    public void Durations_are_positive_and_transitions_not_negative()
    {
        var lease = Yaml<V1Lease>("metadata: {name: l, namespace: default}\nspec: {leaseDurationSeconds: 0, leaseTransitions: -1}");
        Assert.Equal(
            [
                "spec.leaseDurationSeconds|FieldValueInvalid|Invalid value: 0: must be greater than 0",
                "spec.leaseTransitions|FieldValueInvalid|Invalid value: -1: must be greater than or equal to 0",
            ],
            Lines(Create(_strategy, lease)));
    }
}
