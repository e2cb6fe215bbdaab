using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using NodeAgent.Runtime.Network;
using NodeAgent.Testing.Common;

namespace NodeAgent.Runtime.Tests.Network;

/// <summary>The state file format stays what the reflection-based serializer wrote before the generated one replaced it.</summary>
public sealed class PodNetworkStateStoreTests
{
    // The settings the store used before its serializer was generated at build time.
    private static readonly JsonSerializerOptions Earlier = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    private static PodNetworkState Sample() => new()
    {
        SandboxId = "0123abcd",
        Phase = PodNetworkPhase.Ready,
        NetnsPath = "/run/netns/x",
        InterfaceName = "eth0",
        CniArgs = [new("K8S_POD_NAME", "web"), new("IgnoreUnknown", "1")],
        PodNetworkConfig = new JsonObject { ["cniVersion"] = "1.0.0", ["name"] = "pods" },
        RuntimeConfig = new JsonObject { ["portMappings"] = new JsonArray() },
        Result = new JsonObject { ["ips"] = new JsonArray(new JsonObject { ["address"] = "10.1.2.3/24" }) },
        Addresses = ["10.1.2.3"],
        CreatedAt = new DateTimeOffset(2026, 11, 29, 9, 40, 0, TimeSpan.Zero),
    };

    [Fact]
    public async Task A_written_file_has_the_earlier_format_and_an_earlier_file_reads_back()
    {
        using var cts = TestDeadline.Seconds(30);
        using var dir = new TempDirectory(TestIds.NewPrefix());
        var store = new PodNetworkStateStore(dir.Path);
        var state = Sample();

        await store.WriteAsync(state, cts.Token);
        Assert.Equal(JsonSerializer.Serialize(state, Earlier), await File.ReadAllTextAsync(store.PathFor(state.SandboxId), cts.Token));

        await File.WriteAllTextAsync(store.PathFor("earlier"), JsonSerializer.Serialize(state with { SandboxId = "earlier", Phase = PodNetworkPhase.SettingUp }, Earlier), cts.Token);
        var read = await store.ReadAsync("earlier", cts.Token);
        Assert.NotNull(read);
        Assert.Equal(PodNetworkPhase.SettingUp, read.Phase);
        Assert.Equal(state.CniArgs, read.CniArgs);
        Assert.Equal(state.Addresses, read.Addresses);
        Assert.Equal(state.CreatedAt, read.CreatedAt);
        Assert.Equal(state.Result!.ToJsonString(), read.Result!.ToJsonString());
    }
}
