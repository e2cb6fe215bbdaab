using NodeAgent.Api.Resources;
using NodeAgent.Api.Resources.Cluster;
using NodeAgent.Api.Resources.Core;

namespace NodeAgent.Api.Tests.Resources.Core;

public sealed class ResourceWiringTests
{
    public static TheoryData<string, string, Type> Kinds => new()
    {
        { "", "namespaces", typeof(NamespaceStrategy) },
        { "", "services", typeof(ServiceStrategy) },
        { "", "endpoints", typeof(EndpointsStrategy) },
        { "", "configmaps", typeof(ConfigMapStrategy) },
        { "", "secrets", typeof(SecretStrategy) },
        { "", "serviceaccounts", typeof(ServiceAccountStrategy) },
        { "", "events", typeof(EventStrategy) },
        { "", "nodes", typeof(NodeStrategy) },
        { "discovery.k8s.io", "endpointslices", typeof(EndpointSliceStrategy) },
        { "coordination.k8s.io", "leases", typeof(LeaseStrategy) },
        { "events.k8s.io", "events", typeof(EventsV1EventStrategy) },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Each_kind_has_its_strategy(string group, string plural, Type strategy)
    {
        var resource = BuiltinResources.All(StrategyKit.UnitContext()).Single(r => r.Group == group && r.Plural == plural);
        Assert.IsType(strategy, resource.Strategy);
        Assert.NotEmpty(resource.Strategy.Columns);
    }

    [Fact]
    public void Services_admit_asynchronously_for_allocation()
    {
        var services = BuiltinResources.All(StrategyKit.UnitContext()).Single(r => r.Group.Length == 0 && r.Plural == "services");
        Assert.IsAssignableFrom<IAsyncAdmission>(services.Strategy);
    }
}
