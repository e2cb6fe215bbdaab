using System.Text.Json.Nodes;
using NodeAgent.Api.Patching;
using NodeAgent.Api.Patching.Apply;

namespace NodeAgent.Api.Tests.Patching;

public sealed class PatchSchemaTests
{
    [Theory]
    [InlineData("v1", "Pod", true)]
    [InlineData("v1", "Service", true)]
    [InlineData("apps/v1", "Deployment", true)]
    [InlineData("batch/v1", "CronJob", true)]
    [InlineData("discovery.k8s.io/v1", "EndpointSlice", true)]
    [InlineData("coordination.k8s.io/v1", "Lease", true)]
    [InlineData("events.k8s.io/v1", "Event", true)]
    [InlineData("apps/v1beta1", "Deployment", false)]
    [InlineData("example.com/v1", "Widget", false)]
    public void Knows_the_built_in_kinds(string apiVersion, string kind, bool builtIn) =>
        Assert.Equal(builtIn, PatchSchema.For(apiVersion, kind).IsBuiltIn);

    [Fact]
    public void FieldsV1_written_by_kubernetes_reads_back_identically()
    {
        // An Update entry as kubectl-client-side-apply gets it from a real API server.
        var fields = JsonNode.Parse("""
            {"f:metadata":{"f:annotations":{".":{},"f:kubectl.kubernetes.io/last-applied-configuration":{}},"f:labels":{".":{},"f:app":{}}},
             "f:spec":{"f:replicas":{},"f:selector":{},
              "f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{},
               "f:ports":{".":{},"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:protocol":{}}}}}}}},
             "f:status":{"f:conditions":{".":{},"k:{\"type\":\"Available\"}":{".":{},"f:status":{}}}}}
            """)!.AsObject();

        var set = FieldSet.FromFieldsV1(fields);

        Assert.Contains(string.Join('\n', "f:spec", "f:template", "f:spec", "f:containers", "k:{\"name\":\"nginx\"}"), set.Paths);
        var written = set.ToFieldsV1();
        Assert.True(JsonNode.DeepEquals(fields, written), written.ToJsonString());
    }
}
