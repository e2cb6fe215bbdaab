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

    [Fact]
    public void Coordinated_leader_election_fields_are_dropped_on_create_as_the_feature_is_off_in_1_32()
    {
        var lease = Yaml<V1Lease>("metadata: {name: l, namespace: default}\nspec: {strategy: OldestEmulationVersion, preferredHolder: n1}");
        Assert.Empty(Create(_strategy, lease));
        Assert.Null(lease.Spec.Strategy);
        Assert.Null(lease.Spec.PreferredHolder);
    }

    [Fact]
    public void A_preferred_holder_needs_a_strategy_and_strategies_are_known_or_prefixed()
    {
        var lease = Yaml<V1Lease>("metadata: {name: l, namespace: default}\nspec: {preferredHolder: n1}");
        Assert.Equal(["spec.preferredHolder|FieldValueForbidden|Forbidden: may only be specified if `strategy` is defined"], Lines(_strategy.ValidateCreate(lease)));

        var unknown = Yaml<V1Lease>("metadata: {name: l, namespace: default}\nspec: {strategy: Newest}");
        Assert.Equal(["spec.strategy.strategy|FieldValueNotSupported|Unsupported value: \"Newest\": supported values: \"OldestEmulationVersion\""], Lines(_strategy.ValidateCreate(unknown)));

        Assert.Empty(_strategy.ValidateCreate(Yaml<V1Lease>("metadata: {name: l, namespace: default}\nspec: {strategy: example.com/custom, preferredHolder: n1}")));
    }
}
