namespace NodeAgent.Runtime.Tests.Images.Conformance;

/// <summary>The image scenarios against our runtime (<c>nodeagent cri</c>).</summary>
public sealed class NodeAgentImageServiceTests(NodeAgentImageTarget target)
    : ImageServiceScenarios(target), IClassFixture<NodeAgentImageTarget>;

/// <summary>The same scenarios against containerd: the reference behaviour.</summary>
public sealed class ContainerdImageServiceTests(ContainerdImageTarget target)
    : ImageServiceScenarios(target), IClassFixture<ContainerdImageTarget>;
