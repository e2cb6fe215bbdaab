using NodeAgent.Cri;
using NodeAgent.Testing.Registry;

namespace NodeAgent.Runtime.Tests.Images.Conformance;

/// <summary>A CRI runtime with the scenario images in reach: ours or containerd.</summary>
public interface IImageRuntimeTarget
{
    CriClient Client { get; }

    ScenarioImages Images { get; }

    /// <summary>A registry that demands basic auth; the runtime may reach it over plain HTTP.</summary>
    RegistryFixture AuthRegistry { get; }

    string AuthImageRef { get; }

    /// <summary>Whether ListImages honours its filter (containerd 1.6 returns everything).</summary>
    bool FiltersImageList { get; }

    /// <summary>Whether ImageFsInfo is current on every call (containerd samples on a timer).</summary>
    bool MeasuresUsageOnCall { get; }
}
