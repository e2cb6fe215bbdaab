using NodeAgent.Testing.Containerd;

namespace NodeAgent.Cri.Tests.Containerd;

/// <summary>Tests in this collection share one registry + containerd (xunit needs the definition in the test assembly).</summary>
[CollectionDefinition(Name)]
public sealed class ContainerdCollection : ICollectionFixture<ContainerdFixture>
{
    public const string Name = "containerd";
}
