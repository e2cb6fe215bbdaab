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

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_step_copes_with_a_minimal_object_and_prints_one_cell_per_column(string group, string plural, Type strategyType)
    {
        var resource = BuiltinResources.All(StrategyKit.UnitContext()).Single(r => r.Group == group && r.Plural == plural);
        Assert.IsType(strategyType, resource.Strategy);
        var strategy = resource.Strategy;
        var obj = Minimal(resource.ModelType);
        var old = Minimal(resource.ModelType);

        strategy.ApplyDefaults(obj);
        strategy.PrepareForCreate(obj);
        strategy.ValidateCreate(obj);
        strategy.ApplyDefaults(old);
        strategy.ValidateUpdate(obj, old);
        Assert.Equal("x", strategy.SelectableFields(obj)["metadata.name"]);
        Assert.Equal(strategy.Columns.Count, strategy.Cells(obj, StrategyKit.Now).Count);
    }

    [Fact]
    public void Services_admit_asynchronously_for_allocation()
    {
        var services = BuiltinResources.All(StrategyKit.UnitContext()).Single(r => r.Group.Length == 0 && r.Plural == "services");
        Assert.IsAssignableFrom<IAsyncAdmission>(services.Strategy);
    }

    private static object Minimal(Type modelType)
    {
        var obj = Activator.CreateInstance(modelType)!;
        modelType.GetProperty("Metadata")!.SetValue(obj, new k8s.Models.V1ObjectMeta { Name = "x", NamespaceProperty = "default" });
        return obj;
    }
}
