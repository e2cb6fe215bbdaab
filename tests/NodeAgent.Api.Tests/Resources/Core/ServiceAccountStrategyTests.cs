using k8s.Models;
using NodeAgent.Api.Resources.Core;
using static NodeAgent.Api.Tests.Resources.Core.StrategyKit;

namespace NodeAgent.Api.Tests.Resources.Core;

public sealed class ServiceAccountStrategyTests
{
    [Fact]
    public void SECRETS_counts_the_referenced_secrets()
    {
        var strategy = new ServiceAccountStrategy();
        var sa = Yaml<V1ServiceAccount>("metadata: {name: builder, namespace: default}\nsecrets: [{name: a}, {name: b}]");
        sa.Metadata.CreationTimestamp = Now.UtcDateTime.AddDays(-400);
        Assert.Equal(["Name", "Secrets", "Age"], strategy.Columns.Select(c => c.Name));
        Assert.Equal(["builder", 2L, "400d"], strategy.Cells(sa, Now));
        Assert.Equal(0L, strategy.Cells(Yaml<V1ServiceAccount>("metadata: {name: default}"), Now)[1]);
    }
}
