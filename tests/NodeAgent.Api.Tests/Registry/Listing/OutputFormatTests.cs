using NodeAgent.Api.Registry.Listing;

namespace NodeAgent.Api.Tests.Registry.Listing;

public sealed class OutputFormatTests
{
    private const string KubectlGet =
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

    [Theory]
    [InlineData(null, false, "Object", "v1")]
    [InlineData("application/json", false, "Object", "v1")]
    [InlineData("*/*", false, "Object", "v1")]
    [InlineData("application/yaml", true, "Object", "v1")]
    [InlineData(KubectlGet, false, "Table", "v1")]
    [InlineData("application/json;as=Table;v=v1beta1;g=meta.k8s.io", false, "Table", "v1beta1")]
    [InlineData("application/vnd.kubernetes.protobuf, application/json", false, "Object", "v1")]
    [InlineData("application/json;q=0.5, application/yaml", true, "Object", "v1")]
    [InlineData("application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io", false, "PartialObjectMetadataList", "v1")]
    [InlineData("application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io,application/json", false, "Object", "v1")]
    [InlineData("application/json;as=Table;v=v2;g=meta.k8s.io,application/json", false, "Object", "v1")]
    public void Lists_negotiate_the_first_supported_type(string? accept, bool yaml, string shape, string version)
        => Assert.Equal(new OutputFormat(yaml, Enum.Parse<OutputShape>(shape), version), OutputFormat.Negotiate(accept, OutputTarget.List));

    [Fact]
    public void Watches_take_tables_and_metadata_but_not_yaml()
    {
        Assert.Equal(OutputShape.Table, OutputFormat.Negotiate(KubectlGet, OutputTarget.Watch).Shape);
        Assert.Equal(OutputShape.PartialObjectMetadata,
            OutputFormat.Negotiate("application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io", OutputTarget.Watch).Shape);
        var refused = Assert.Throws<ApiStatusException>(() => OutputFormat.Negotiate("application/yaml", OutputTarget.Watch));
        Assert.Equal(406, refused.Code);
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/vnd.kubernetes.protobuf")]
    [InlineData("application/json;q=0")]
    public void Nothing_supported_is_406_NotAcceptable(string accept)
    {
        var refused = Assert.Throws<ApiStatusException>(() => OutputFormat.Negotiate(accept, OutputTarget.Object));
        Assert.Equal(406, refused.Code);
        Assert.Equal("NotAcceptable", refused.Status.Reason);
    }
}
