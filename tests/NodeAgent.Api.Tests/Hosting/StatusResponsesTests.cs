using NodeAgent.Api.Hosting;

namespace NodeAgent.Api.Tests.Hosting;

public sealed class StatusResponsesTests
{
    [Fact]
    public void A_failure_serializes_in_upstream_shape()
    {
        var json = StatusResponses.ToJson(StatusResponses.Failure(404, "NotFound", "pods \"x\" not found", new k8s.Models.V1StatusDetails { Name = "x", Kind = "pods" }));

        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"x\" not found","reason":"NotFound","details":{"kind":"pods","name":"x"},"code":404}""",
            json.ToJsonString(ApiJson.Options));
    }
}
